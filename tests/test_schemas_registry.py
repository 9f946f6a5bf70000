"""The schema registry: which compiled wrapper validates which root element, and how violations read."""
import threading

import pytest
from lxml import etree

from knoop_esb.stuf import foutcodes, fouten
from knoop_esb.stuf.fouten import SchemaFout, StufFout
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF
from knoop_esb.stuf.schemas import SchemaRegistry, SchemasOntbreken, registry
from tests.fixtures.stuf import la01_skeleton


@pytest.mark.parametrize(
    "tag, wrapper",
    [(f"{{{BG}}}{ent}{code}", "vraagAntwoord") for ent in ("nnp", "mac", "ves") for code in ("Lv01", "La01")]
    + [(f"{{{BG}}}{ent}Lk01", "mutatie") for ent in ("nnp", "mac", "ves")]
    + [(f"{{{STUF}}}{m}Bericht", "stuf0301") for m in ("Fo01", "Fo02", "Fo03", "Bv01", "Bv03")],
)
def test_root_element_picks_the_wrapper(schema_registry, tag, wrapper):
    assert schema_registry.wrapper_for(tag).naam == wrapper


@pytest.mark.parametrize("naam", ["nnpLv01", "macLv01", "vesLv01", "nnpLk01", "vesLk01", "macLk01"])
def test_the_compiled_schema_declares_the_message(schema_registry, naam):
    # An empty message fails on its content, not with "no matching global declaration".
    with pytest.raises(SchemaFout) as exc:
        schema_registry.validate(etree.Element(f"{{{BG}}}{naam}", nsmap={"BG": BG}))
    assert f"BG:{naam}" in exc.value.omschrijving
    assert "Missing child element" in exc.value.omschrijving
    assert "No matching global" not in (exc.value.details or "")


def test_violation_names_the_element_and_line(schema_registry):
    la01 = la01_skeleton("NNP")
    raw = etree.tostring(la01, pretty_print=True).replace(b"<StUF:berichtcode>La01<", b"<StUF:berichtcode>Xx01<")
    bad = etree.fromstring(raw)
    with pytest.raises(SchemaFout) as exc:
        schema_registry.validate(bad)
    fout = exc.value
    assert (fout.code, fout.plek) == ("StUF055", "client")
    assert "StUF:berichtcode" in fout.omschrijving and "Xx01" in fout.omschrijving
    assert "(regel 3)" in fout.omschrijving
    assert len(fout.omschrijving) <= 200
    assert schema_registry.is_valid(bad) is False
    # And it turns into a valid Fo02.
    schema_registry.validate(fouten.fo02(fout))


def test_missing_mandatory_element(schema_registry):
    la01 = la01_skeleton("VES")
    la01.remove(la01.find(f"{{{BG}}}parameters"))
    with pytest.raises(SchemaFout) as exc:
        schema_registry.validate(la01)
    assert "BG:vesLa01" in exc.value.omschrijving and "BG:parameters" in exc.value.omschrijving


def test_unknown_root_is_stuf025(schema_registry):
    for element in (etree.Element(f"{{{BG}}}xyzLv01"), etree.Element("{urn:other}nnpLv01"), etree.Element("plain")):
        with pytest.raises(StufFout) as exc:
            schema_registry.validate(element)
        assert exc.value.code == foutcodes.STUF025.code and exc.value.plek == "server"
        assert not isinstance(exc.value, SchemaFout)
        assert schema_registry.is_valid(element) is False


def test_validates_the_body_child_inside_an_envelope(schema_registry):
    envelope = etree.Element(f"{{{SOAP11_ENV}}}Envelope")
    body = etree.SubElement(envelope, f"{{{SOAP11_ENV}}}Body")
    body.append(la01_skeleton("MAC"))
    assert schema_registry.is_valid(body[0])


def test_registry_is_cached_per_directory(stuf_schemas_dir, schema_registry):
    assert registry(stuf_schemas_dir) is schema_registry
    assert registry(str(stuf_schemas_dir)) is schema_registry


def test_parallel_validation_keeps_errors_apart(schema_registry):
    good = la01_skeleton("NNP")
    bad = la01_skeleton("NNP")
    bad.find(f"{{{BG}}}parameters")[0].text = "misschien"
    outcomes = []

    def work(element, expected):
        for _ in range(200):
            outcomes.append(schema_registry.is_valid(element) is expected)

    threads = [threading.Thread(target=work, args=(good, True)) for _ in range(3)]
    threads += [threading.Thread(target=work, args=(bad, False)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 1200 and all(outcomes)


def test_berichten_lists_what_can_be_validated(schema_registry):
    names = schema_registry.berichten()
    assert f"{{{BG}}}nnpLa01" in names and f"{{{STUF}}}Fo02Bericht" in names
    assert f"{{{BG}}}npsLv01-prs-NatuurlijkPersoon" not in names


def test_not_installed_is_a_clear_error(tmp_path):
    with pytest.raises(SchemasOntbreken) as exc:
        SchemaRegistry(tmp_path)
    assert "knoop-esb schemas install" in str(exc.value)
