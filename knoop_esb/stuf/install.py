"""Installing the official StUF 03.01 / StUF-BG 03.10 schemas into the node's data dir.

The node never ships VNG's files; an operator points ``knoop-esb schemas install`` at a copy of the
bundle (a directory, a zip, or the zip's URL). The bundle is checked for every file the wrapper
schemas reach through include/import before anything is replaced, installed into a staging
directory, compiled once to prove it works, and only then swapped into place: a failed install
leaves the previous one untouched.
"""
from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx
from lxml import etree
from tqdm import tqdm

from knoop_esb.paths import XSD_DIR
from knoop_esb.stuf.schemas import MARKER, WRAPPERS, XS, SchemaRegistry, SchemasOntbreken, schema_parser

# The file that marks the top of a bundle: everything else is reached relative to it.
ANKER = PurePosixPath("bg0310/vraagAntwoord/bg0310_msg_vraagAntwoord.xsd")
KOPIEER = (".xsd", ".wsdl")
MAX_DOWNLOAD = 200_000_000
MAX_UITGEPAKT = 500_000_000


class InstallFout(Exception):
    """A user-facing install failure, one line."""


@dataclass(frozen=True)
class Installatie:
    dir: Path
    bron: str
    bestanden: int
    berichten: dict[str, int]


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def download(url: str, doel: Path, progress: bool = True) -> Path:
    """Fetch ``url`` (following redirects) into ``doel``; refuses bodies over 200 MB."""
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=60.0) as response:
            if response.status_code != 200:
                raise InstallFout(f"download of {url} failed: HTTP {response.status_code}")
            total = int(response.headers.get("content-length") or 0) or None
            received = 0
            with open(doel, "wb") as out, tqdm(
                total=total, unit="B", unit_scale=True, desc="download", disable=not progress
            ) as bar:
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > MAX_DOWNLOAD:
                        raise InstallFout(f"download of {url} is larger than {MAX_DOWNLOAD} bytes")
                    out.write(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        raise InstallFout(f"download of {url} failed: {exc}") from None
    return doel


def extract(zip_path: Path, doel: Path) -> Path:
    """Unpack the schema files (.xsd/.wsdl) of a zip, refusing paths that escape ``doel``."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InstallFout(f"{zip_path} is not a readable zip file: {exc}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(KOPIEER)]
        if sum(m.file_size for m in members) > MAX_UITGEPAKT:
            raise InstallFout(f"{zip_path} unpacks to more than {MAX_UITGEPAKT} bytes")
        for member in members:
            rel = PurePosixPath(member.filename.replace("\\", "/"))
            if rel.is_absolute() or ".." in rel.parts:
                raise InstallFout(f"{zip_path} contains an unsafe path: {member.filename}")
            target = doel.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return doel


def find_root(directory: Path) -> Path:
    """The directory of the bundle (the one holding ``bg0310/``), however deep a zip nests it."""
    candidates = sorted(
        (p for p in directory.rglob(ANKER.name) if p.as_posix().endswith(ANKER.as_posix())),
        key=lambda p: len(p.parts),
    )
    if not candidates:
        raise InstallFout(f"no StUF-BG 03.10 bundle in {directory}: {ANKER} not found")
    root = candidates[0]
    for _ in ANKER.parts:
        root = root.parent
    return root


def _references(path: Path) -> list[str]:
    try:
        root = etree.parse(str(path), schema_parser()).getroot()
    except etree.XMLSyntaxError as exc:
        raise InstallFout(f"{path} is not readable XML: {exc}") from None
    refs = []
    for local in ("include", "import", "redefine"):
        for el in root.iter(f"{{{XS}}}{local}"):
            location = el.get("schemaLocation")
            if location and not location.startswith(("http://", "https://")):
                refs.append(location)
    return refs


def missing_files(root: Path) -> list[str]:
    """Files the wrapper schemas reach (through include/import) that ``root`` lacks, as
    ``"path (imported by file)"``; empty when the bundle is complete."""
    root = root.resolve()
    todo = [(root / loc, XSD_DIR / w.bestand) for w in WRAPPERS for loc in _references(XSD_DIR / w.bestand)]
    seen: set[Path] = set()
    missing: list[str] = []
    while todo:
        path, by = todo.pop()
        path = path.resolve()
        if path in seen:
            continue
        seen.add(path)
        by_name = by.name if by.parent == XSD_DIR else by.relative_to(root).as_posix()
        if not path.is_relative_to(root):
            missing.append(f"{path} (outside the bundle, imported by {by_name})")
            continue
        if not path.is_file():
            missing.append(f"{path.relative_to(root).as_posix()} (imported by {by_name})")
            continue
        todo.extend((path.parent / ref, path) for ref in _references(path))
    return sorted(missing)


def _copy_tree(root: Path, staging: Path, progress: bool) -> int:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in KOPIEER)
    for path in tqdm(files, desc="schemas", unit="file", disable=not progress):
        target = staging / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # not copy2: the source may be read-only, the install must not be
    for wrapper in WRAPPERS:
        shutil.copyfile(XSD_DIR / wrapper.bestand, staging / wrapper.bestand)
    return len(files)


def _swap(staging: Path, dest: Path) -> None:
    old = dest.with_name(dest.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        dest.rename(old)
    staging.rename(dest)
    if old.exists():
        shutil.rmtree(old)


def install_from_root(root: Path, dest: Path, bron: str, progress: bool = True) -> Installatie:
    missing = missing_files(root)
    if missing:
        raise InstallFout(f"StUF bundle {bron} is incomplete, missing: {'; '.join(missing)}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the installed bundle is readable like any data
        count = _copy_tree(root, staging, progress)
        try:
            berichten = SchemaRegistry(staging).compile_all()
        except SchemasOntbreken as exc:
            raise InstallFout(str(exc).replace(str(staging), str(dest))) from None
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        (staging / MARKER).write_text(f"source={bron}\ninstalled={stamp}\nfiles={count}\n", encoding="utf-8")
        _swap(staging, dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Installatie(dir=dest, bron=bron, bestanden=count, berichten=berichten)


def install(source: str, dest: Path, progress: bool = True) -> Installatie:
    """Install the bundle at ``source`` (directory, zip file, or http(s) URL of a zip) into ``dest``."""
    with tempfile.TemporaryDirectory(prefix="knoop-schemas-") as tmp:
        work = Path(tmp)
        if _is_url(source):
            zip_path = download(source, work / "bundle.zip", progress)
            root = find_root(extract(zip_path, work / "unpacked"))
        else:
            path = Path(source).expanduser()
            source = str(path.resolve())
            if path.is_dir():
                root = find_root(path)
            elif path.is_file():
                root = find_root(extract(path, work / "unpacked"))
            else:
                raise InstallFout(f"schema source {source} does not exist (expected a directory, zip file or URL)")
        return install_from_root(root, dest, source, progress)


def installed_info(dest: Path) -> dict[str, str]:
    """The marker of an installed bundle (source, installed, files); empty when not installed."""
    marker = Path(dest) / MARKER
    if not marker.is_file():
        return {}
    lines = marker.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)
