"""All tables, imported together so that ``Base.metadata`` is complete for Alembic and tests."""
from knoop_esb.store.base import Base
from knoop_esb.store.models.afnemers import Afnemer, Afnemerindicatie, Autorisatie, ProtocolRegel
from knoop_esb.store.models.delivery import Outbox, ReplayCache
from knoop_esb.store.models.handelsregister import MacVersie, NnpVersie, VesHandelsnaam, VesVersie
from knoop_esb.store.models.sync import BedrijfNieuw, KvkRequest, KvkSignaal
from knoop_esb.store.models.verversing import BedrijfLabel, LaadVoortgang

__all__ = [
    "Base",
    "Afnemer",
    "Afnemerindicatie",
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
    "BedrijfLabel",
    "LaadVoortgang",
]
