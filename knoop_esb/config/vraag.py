from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section


@section("vraag")
@dataclass(frozen=True)
class VraagConfig:
    """Answering StUF-BG vraagberichten (nnpLv01, macLv01, vesLv01): how fresh stored data must be
    per entiteittype, how long KVK may take, and how many objects one La01 carries."""

    versheid_nnp: str = doc("How old a stored NNP may be before KVK is asked (30d, 12h, 15m, 90s, 0); empty = the route's max_age.", default="")
    versheid_mac: str = doc("How old a stored MAC may be before KVK is asked; empty = the route's max_age.", default="")
    versheid_ves: str = doc("How old a stored VES may be before KVK is asked; empty = the route's max_age.", default="")
    kvk_timeout: float = doc("Seconds the node waits for its remote sources (KVK) while answering one vraag; after that the afnemer gets the stored copy with a melding that it may be out of date, or Fo02 StUF058 when the store has none.", default=8.0)
    lijsten_uit_opslag: bool = doc("Answer list questions (names, addresses, all vestigingen of a KVK-nummer) from fresh stored data too; only when the store holds the whole population (initial load and sync running). false = such questions go to KVK first and the store is the fall-back, so an answer never misses an object the store has not seen.", default=False)
    maximum_aantal: int = doc("maximumAantal when the vraag gives none (StUF-BG 03.10 schema default).", default=15)
    maximum_aantal_node: int = doc("The most objects the node puts in one La01, whatever maximumAantal asks; more → indicatorVervolgvraag true and melding StUF0002.", default=100)

    def versheid(self, entiteittype: str) -> str:
        return getattr(self, f"versheid_{entiteittype.lower()}", "")

    def validate(self, config) -> None:
        from knoop_esb.config.loader import duur

        for ent in ("nnp", "mac", "ves"):
            waarde = getattr(self, f"versheid_{ent}")
            if waarde:
                duur(waarde, f"vraag.versheid_{ent}")
        if self.kvk_timeout <= 0:
            raise ConfigError("vraag.kvk_timeout", "must be more than 0 seconds")
        if not 1 <= self.maximum_aantal <= 999:
            raise ConfigError("vraag.maximum_aantal", "must be 1..999 (StUF:MaximumAantal)")
        if not 1 <= self.maximum_aantal_node <= 999:
            raise ConfigError("vraag.maximum_aantal_node", "must be 1..999")
