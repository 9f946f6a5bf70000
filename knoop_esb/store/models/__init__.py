"""All tables, imported together so that ``Base.metadata`` is complete for Alembic and tests."""
from knoop_esb.store.base import Base
from knoop_esb.store.models.abonnementen import AbonnementVersie, GebiedAbonnement, WoonplaatsGemeente
from knoop_esb.store.models.afnemers import Afnemer, AfnemerEndpointRij, Afnemerindicatie, Autorisatie, ProtocolRegel
from knoop_esb.store.models.delivery import Outbox, ReplayCache
from knoop_esb.store.models.handelsregister import MacVersie, NnpVersie, VesHandelsnaam, VesVersie
from knoop_esb.store.models.ontvangst import OntvangenKennisgeving, OntvangstZender
from knoop_esb.store.models.sync import BedrijfNieuw, KvkPollVenster, KvkRequest, KvkSignaal, RoosterJob, SyncTaak
from knoop_esb.store.models.verversing import BedrijfLabel, LaadVoortgang

__all__ = [
    "Base",
    "Afnemer",
    "AfnemerEndpointRij",
    "Afnemerindicatie",
    "AbonnementVersie",
    "GebiedAbonnement",
    "WoonplaatsGemeente",
    "Autorisatie",
    "ProtocolRegel",
    "Outbox",
    "ReplayCache",
    "MacVersie",
    "NnpVersie",
    "VesHandelsnaam",
    "VesVersie",
    "BedrijfNieuw",
    "KvkRequest",
    "KvkSignaal",
    "OntvangenKennisgeving",
    "OntvangstZender",
    "KvkPollVenster",
    "RoosterJob",
    "SyncTaak",
    "BedrijfLabel",
    "LaadVoortgang",
]
