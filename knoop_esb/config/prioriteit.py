from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section

# The seed (002 §2) excludes rechtsvormen by its own taxonomy ids 2794, 2774, 914, 2776, 2777 and
# 942 without naming them. KVK's REST API gives rechtsvormen as descriptions, so the node keeps
# names; these are the forms that are no market party (docs/sync-prioriteit.md): check them
# against the population you serve.
UITGESLOTEN_RECHTSVORMEN = (
    "Vereniging van Eigenaars",
    "Kerkgenootschap",
    "Publiekrechtelijke Rechtspersoon",
    "Overige Privaatrechtelijke Rechtspersoon",
    "Onderlinge Waarborg Maatschappij",
    "Buitenlandse Rechtsvorm/Onderneming",
)


@section("prioriteit")
@dataclass(frozen=True)
class PrioriteitConfig:
    """The priority refresh of stored companies (seed 002 §2, §4): ``sync update-kvk`` refreshes
    Priority 1 (labelled companies, short cycle) and, while Priority 1 has fewer than ``p2_drempel``
    due, Priority 2 (useful companies, long cycle) from KVK; ``sync update-handelsdata`` refreshes
    vestigingen from Handelsdata. Both sort oldest update → newest founding → fewest employees →
    KVK-nummer descending."""

    p1_labels: list[str] = doc("Labels (set with `knoop-esb sync label add`) that make a company Priority 1; `*` matches any characters. Seed: the public innovation labels im_public_*.", default_factory=lambda: ["im_public_*"])
    p1_cyclus_dagen: int = doc("Priority 1 is due when not refreshed for this many days (seed: 2 months).", default=61)
    p1_batch: int = doc("Priority 1 companies per run (seed: 1200).", default=1200)
    p2_drempel: int = doc("Priority 2 is only selected when fewer Priority 1 companies than this are due (seed: 200).", default=200)
    p2_batch: int = doc("Priority 2 companies per run (the seed gives none; default P1's batch).", default=1200)
    p2_cyclus_dagen: int = doc("Priority 2 is due when not refreshed for this many days (seed: 6 months).", default=183)
    p2_uitgesloten_rechtsvormen: list[str] = doc("Rechtsvormen (KVK's descriptions, compared without case) never Priority 2. The seed names taxonomy ids 2794, 2774, 914, 2776, 2777, 942; see docs/sync-prioriteit.md for this default.", default_factory=lambda: list(UITGESLOTEN_RECHTSVORMEN))
    p2_opgericht_jaren: int = doc("Priority 2 criterion: founded in the last this many years (seed: 2).", default=2)
    p2_werkzame_personen_min: int = doc("Priority 2 criterion: at least this many werkzame personen … (seed: 5).", default=5)
    p2_werkzame_personen_max: int = doc("… and at most this many (seed: 250).", default=250)
    p2_economisch_actief: bool = doc("Priority 2 criterion: economisch actief counts (seed: true).", default=True)
    p2_sbi_prefixen: list[str] = doc("Priority 2 criterion: an SBI code starting with one of these (seed: Industrie 1*, 2*, 30–33*).", default_factory=lambda: ["1", "2", "30", "31", "32", "33"])
    handelsdata_cyclus_dagen: int = doc("`update-handelsdata --from-db`: a vestiging is due when not refreshed for this many days (seed §4: once a year).", default=365)
    handelsdata_batch: int = doc("Vestigingen per `update-handelsdata` run when --batch-size is not given (seed cron: 1000).", default=1000)
    handelsdata_per_verzoek: int = doc("Numbers per Handelsdata exportSelectie request (1 credit each).", default=100)

    def validate(self, config) -> None:
        for naam in ("p1_cyclus_dagen", "p2_cyclus_dagen", "handelsdata_cyclus_dagen", "p1_batch", "p2_batch",
                     "handelsdata_batch", "handelsdata_per_verzoek"):
            if getattr(self, naam) < 1:
                raise ConfigError(f"prioriteit.{naam}", "must be at least 1")
        if self.p2_drempel < 0 or self.p2_opgericht_jaren < 0:
            raise ConfigError("prioriteit.p2_drempel", "must not be negative")
        if self.p2_werkzame_personen_min > self.p2_werkzame_personen_max:
            raise ConfigError("prioriteit.p2_werkzame_personen_min", "is more than p2_werkzame_personen_max")
        for i, label in enumerate(self.p1_labels):
            if not label or not label.strip():
                raise ConfigError(f"prioriteit.p1_labels[{i}]", "is empty")
        for i, prefix in enumerate(self.p2_sbi_prefixen):
            if not prefix.isdigit():
                raise ConfigError(f"prioriteit.p2_sbi_prefixen[{i}]", f"{prefix!r} is not digits")
