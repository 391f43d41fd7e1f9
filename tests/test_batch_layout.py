"""Finding a course's submissions: each layout, as a folder and as a zip, every skipped file with
its reason, and zips that try to escape, link out or explode."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from grader.batch import Discovery, discover, open_tree
from grader.errors import UsageError

NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:15:00.000000000 -08:00
  :score: 30.0
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: ''
    :email: alan@example.edu
  - :name: Grace Hopper
    :email: grace@example.edu
  :created_at: 2024-03-02 09:00:00.000000000 +00:00
"""


def make(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def zipped(folder: Path, target: Path, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def found(path: Path, **options: str) -> Discovery:
    tree = open_tree(path)
    return discover(tree, default_assignment="initialization", **options)


def students(discovery: Discovery) -> list[tuple[str, str, str]]:
    return [(f.student, f.assignment, f.source) for f in discovery.found]


def skipped(discovery: Discovery) -> dict[str, str]:
    return {s.path: s.reason for s in discovery.skipped}


FLAT = {
    "alice.ipynb": NB,
    "bob.ipynb": NB,
    "notes.txt": "not a notebook",
    ".ipynb_checkpoints/alice-checkpoint.ipynb": NB,
    "old/carol.ipynb": NB,
    ".DS_Store": b"\0",
}


def check_flat(discovery: Discovery, prefix: str = "") -> None:
    assert students(discovery) == [
        ("alice", "initialization", f"{prefix}alice.ipynb"),
        ("bob", "initialization", f"{prefix}bob.ipynb"),
    ]
    reasons = skipped(discovery)
    assert reasons[f"{prefix}notes.txt"] == "not a notebook (.ipynb)"
    assert "checkpoint" in reasons[f"{prefix}.ipynb_checkpoints/alice-checkpoint.ipynb"]
    assert "not where a folder of notebooks" in reasons[f"{prefix}old/carol.ipynb"]
    assert "metadata" in reasons[f"{prefix}.DS_Store"]
    assert len(reasons) == 4


def test_a_folder_of_notebooks_gives_one_student_per_file_stem(tmp_path: Path) -> None:
    discovery = found(make(tmp_path / "course", FLAT))
    assert discovery.layout == "a folder of notebooks (student = file name)"
    check_flat(discovery)


def test_a_zip_of_a_folder_of_notebooks_is_read_in_place(tmp_path: Path) -> None:
    archive = zipped(make(tmp_path / "course", FLAT), tmp_path / "course.zip", prefix="course/")
    discovery = found(archive)
    assert discovery.layout == "a folder of notebooks (student = file name), in a zip archive"
    check_flat(discovery, prefix="course/")
    assert discovery.tree.read("course/alice.ipynb", 1000) == NB


NBGRADER = {
    "submitted/alice/ps1/Initialization.ipynb": NB,
    "submitted/alice/ps1/timestamp.txt": "2024-01-05 13:31:29.624547 UTC",
    "submitted/bob/ps1/Initialization.ipynb": NB,
    "submitted/bob/ps1/scratch.py": "x = 1",
    "submitted/bob/ps0/Intro.ipynb": NB,
    "source/ps1/Initialization.ipynb": NB,
    "gradebook.db": b"x",
}


def test_an_nbgrader_tree_needs_the_assignment_when_it_holds_several(tmp_path: Path) -> None:
    course = make(tmp_path / "course", NBGRADER)
    with pytest.raises(UsageError, match="ps0, ps1; choose the one to grade with --assignment"):
        found(course)
    with pytest.raises(UsageError, match="no nbgrader assignment 'ps9'"):
        found(course, assignment="ps9")


def test_an_nbgrader_tree_gives_student_and_assignment_from_its_folders(tmp_path: Path) -> None:
    for path in (
        make(tmp_path / "course", NBGRADER),
        zipped(tmp_path / "course", tmp_path / "course.zip"),
    ):
        discovery = found(path, assignment="ps1")
        assert discovery.layout.startswith("an nbgrader tree")
        assert students(discovery) == [
            ("alice", "ps1", "submitted/alice/ps1/Initialization.ipynb"),
            ("bob", "ps1", "submitted/bob/ps1/Initialization.ipynb"),
        ]
        assert discovery.found[0].received == "2024-01-05T13:31:29.624547+00:00"
        reasons = skipped(discovery)
        assert reasons["submitted/bob/ps0/Intro.ipynb"] == "assignment ps0, not ps1"
        assert reasons["submitted/bob/ps1/scratch.py"] == "not a notebook (.ipynb)"
        assert "not where an nbgrader tree" in reasons["source/ps1/Initialization.ipynb"]
        assert "gradebook.db" in reasons
        assert "submitted/alice/ps1/timestamp.txt" not in reasons  # read, not skipped


def test_the_submitted_folder_itself_is_an_nbgrader_tree(tmp_path: Path) -> None:
    course = make(tmp_path / "course", NBGRADER)
    discovery = found(course / "submitted", assignment="ps1")
    assert [f.student for f in discovery.found] == ["alice", "bob"]


GRADESCOPE = {
    "submission_metadata.yml": METADATA,
    "submission_101/Initialization.ipynb": NB,
    "submission_101/notes.pdf": b"%PDF",
    "submission_102/work/Initialization.ipynb": NB,
    "submission_999/Initialization.ipynb": NB,
}


def test_a_gradescope_export_gives_each_submitter_their_submission(tmp_path: Path) -> None:
    for path in (
        make(tmp_path / "export", GRADESCOPE),
        zipped(tmp_path / "export", tmp_path / "export.zip", prefix="assignment_7_export/"),
    ):
        discovery = found(path)
        prefix = "assignment_7_export/" if path.suffix == ".zip" else ""
        assert discovery.layout.startswith("a Gradescope export")
        group = f"{prefix}submission_102/work/Initialization.ipynb"
        assert students(discovery) == [
            ("1815", "initialization", f"{prefix}submission_101/Initialization.ipynb"),
            ("alan@example.edu", "initialization", group),
            ("grace@example.edu", "initialization", group),
        ]
        assert discovery.found[0].received == "2024-03-01T18:15:00+00:00"
        reasons = skipped(discovery)
        assert reasons[f"{prefix}submission_101/notes.pdf"] == "not a notebook (.ipynb)"
        assert (
            "not listed in submission_metadata.yml"
            in reasons[f"{prefix}submission_999/Initialization.ipynb"]
        )


def test_gradescope_metadata_is_never_loaded_with_an_unsafe_yaml_loader(tmp_path: Path) -> None:
    hostile = "!!python/object/apply:os.system ['touch pwned']\n"
    export = make(tmp_path / "export", {**GRADESCOPE, "submission_metadata.yml": hostile})
    with pytest.raises(UsageError, match="cannot be read as Gradescope's submission metadata"):
        found(export)
    assert not (Path.cwd() / "pwned").exists()


def test_a_folder_without_a_known_layout_is_refused_with_the_layouts_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"a folder of \.ipynb notebooks, an nbgrader tree"):
        found(make(tmp_path / "course", {"readme.txt": "hello"}))
    with pytest.raises(UsageError, match="does not exist"):
        found(tmp_path / "nowhere")
    (tmp_path / "fake.zip").write_bytes(b"PK not really")
    with pytest.raises(UsageError, match="not a zip archive that can be read"):
        found(tmp_path / "fake.zip")


def test_links_in_a_folder_are_listed_and_never_followed(tmp_path: Path) -> None:
    course = make(tmp_path / "course", {"alice.ipynb": NB})
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "answers.ipynb").write_bytes(NB)
    os.symlink(tmp_path / "secret" / "answers.ipynb", course / "mallory.ipynb")
    os.symlink(tmp_path / "secret", course / "linked")
    discovery = found(course)
    assert [f.student for f in discovery.found] == ["alice"]
    assert skipped(discovery) == {
        "linked": "a symbolic link; links are not followed",
        "mallory.ipynb": "a symbolic link; links are not followed",
    }


def _hostile_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("alice.ipynb", NB)
        archive.writestr("../escape.ipynb", NB)
        archive.writestr("/etc/absolute.ipynb", NB)
        link = zipfile.ZipInfo("link.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def test_a_zip_member_that_escapes_or_links_out_is_listed_and_never_read(tmp_path: Path) -> None:
    discovery = found(_hostile_zip(tmp_path / "hostile.zip"))
    assert [f.student for f in discovery.found] == ["alice"]
    reasons = skipped(discovery)
    assert "leaves the archive" in reasons["../escape.ipynb"]
    assert "leaves the archive" in reasons["/etc/absolute.ipynb"]
    assert reasons["link.ipynb"] == "a symbolic link; links are not followed"
    assert not (tmp_path / "escape.ipynb").exists()


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path, monkeypatch) -> None:
    from grader.batch import _sources

    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("alice.ipynb", b"0" * 5_000_000)
    assert path.stat().st_size < 50_000
    monkeypatch.setattr(_sources, "MAX_UNPACKED_BYTES", 4_000_000)
    with pytest.raises(UsageError, match="refused as a possible zip bomb"):
        found(path)


def test_a_zip_member_is_inflated_only_up_to_the_bound_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("alice.ipynb", b"0" * 5_000_000)
    discovery = found(path)
    assert len(discovery.tree.read("alice.ipynb", 1000)) == 1000


# -- names and ids are the students' to choose: bounded and escaped, never a crash ----------


def test_a_file_name_that_is_not_utf8_is_found_escaped_and_still_read(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "bob.ipynb").write_bytes(NB)
    Path(os.fsdecode(bytes(course) + b"/al\xffice\r.ipynb")).write_bytes(NB)
    discovery = found(course)
    assert students(discovery) == [
        ("al\\xffice\\x0d", "initialization", "al\\xffice\\x0d.ipynb"),
        ("bob", "initialization", "bob.ipynb"),
    ]
    assert discovery.tree.read("al\\xffice\\x0d.ipynb", 100) == NB


def test_an_nbgrader_student_folder_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    root = tmp_path / "course"
    folder = Path(os.fsdecode(bytes(root) + b"/submitted/st\xe9phane/ps1"))
    folder.mkdir(parents=True)
    (folder / "ps1.ipynb").write_bytes(NB)
    (root / "source").mkdir()
    discovery = found(root)
    assert students(discovery) == [("st\\xe9phane", "ps1", "submitted/st\\xe9phane/ps1/ps1.ipynb")]
    assert discovery.tree.read(discovery.found[0].source, 100) == NB


def test_a_zip_member_name_is_read_as_its_bytes_say(tmp_path: Path) -> None:
    target = tmp_path / "course.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("placeholder-one.ipynb", NB)
        archive.writestr("placeholder-two.ipynb", NB)
    data = target.read_bytes()  # names of the same length, stored without the UTF-8 flag
    data = data.replace(b"placeholder-one", "ren\u00e9e-utf8-ok".encode()[:15].ljust(15, b"_"))
    data = data.replace(b"placeholder-two", b"bad\xff\x0a\xe2\x80\xaebyte___")
    target.write_bytes(data)
    discovery = found(target)
    names = sorted(f.student for f in discovery.found)
    assert names == ["bad\\xff\\x0a\\u202ebyte___", "ren\u00e9e-utf8-ok_"]
    assert all(discovery.tree.read(f.source, 100) == NB for f in discovery.found)


def test_a_name_longer_than_a_batch_reads_is_skipped_with_its_reason(tmp_path: Path) -> None:
    from grader.untrusted import MAX_NAME

    target = tmp_path / "course.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("ok.ipynb", NB)
        archive.writestr("a" * (MAX_NAME + 10) + ".ipynb", NB)
    discovery = found(target)
    assert [f.student for f in discovery.found] == ["ok"]
    assert [s.reason for s in discovery.skipped] == [
        "its name is longer than a batch reads (shown cut); not read"
    ]
    assert len(discovery.skipped[0].path) <= MAX_NAME + 40


def test_a_submitter_repeated_by_a_yaml_alias_is_one_submission(tmp_path: Path) -> None:
    metadata = """\
submission_7:
  :submitters:
  - &ada {":sid": "1815", ":name": Ada}
  - *ada
  - *ada
  - *ada
  - *ada
  - *ada
  :created_at: 2024-03-01 10:15:00.000000000 -08:00
"""
    course = make(tmp_path / "export", {"submission_metadata.yml": metadata})
    (course / "submission_7").mkdir()
    (course / "submission_7" / "hw.ipynb").write_bytes(NB)
    assert students(found(course)) == [("1815", "initialization", "submission_7/hw.ipynb")]


def test_submitter_ids_with_line_breaks_and_invisible_characters_are_escaped(
    tmp_path: Path,
) -> None:
    metadata = """\
submission_1:
  :submitters:
  - {":sid": "eve\\r\\n=cmd|' /C calc'!A0", ":name": Eve}
  - {":sid": "ad\\u200bmin\\u202etxt.exe", ":name": Mallory}
  - {":sid": [1, 2, 3], ":email": "long@example.edu"}
"""
    course = make(tmp_path / "export", {"submission_metadata.yml": metadata})
    (course / "submission_1").mkdir()
    (course / "submission_1" / "hw.ipynb").write_bytes(NB)
    ids = sorted(f.student for f in found(course).found)
    assert ids == [
        "ad\\u200bmin\\u202etxt.exe",
        "eve\\x0d\\x0a=cmd|' /C calc'!A0",
        "long@example.edu",
    ]


def test_two_long_submitter_ids_that_share_their_start_stay_two_students(tmp_path: Path) -> None:
    start = "L" * 1_500
    metadata = "".join(
        f'submission_{n}:\n  :submitters:\n  - {{":sid": "{start + tail * 500}"}}\n'
        for n, tail in ((1, "A"), (2, "B"))
    )
    course = make(tmp_path / "export", {"submission_metadata.yml": metadata})
    for n in (1, 2):
        make(course, {f"submission_{n}/hw.ipynb": NB})
    ids = [f.student for f in found(course).found]
    assert len(set(ids)) == 2
    assert all(i.startswith("L" * 1_000) and len(i) < 1_100 for i in ids)


def test_a_name_composed_two_ways_is_one_student(tmp_path: Path) -> None:
    composed, decomposed = "jos\u00e9", "jose\u0301"
    course = make(tmp_path / "course", {f"{composed}.ipynb": NB, f"{decomposed}.ipynb": NB})
    discovery = found(course)
    assert {f.student for f in discovery.found} == {composed}
    assert {f.source for f in discovery.found} == {f"{composed}.ipynb", f"{decomposed}.ipynb"}
