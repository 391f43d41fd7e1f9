"""``initgrade experiment``: each comparison writes its PNG and JSON and prints its table, on the
bundled data or on a folder the test writes; bad data is a usage error naming the file.

The settings are shortened here (fewer steps) so that the suite stays fast; the claims about
the full runs are in tests/test_experiments_runs.py.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import reference.experiments as ex
from grader.cli import EXIT_OK, EXIT_USAGE, main
from tests.experiment_files import MNIST_STEMS, write_image_folder, write_mnist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "DIGITS", replace(ex.DIGITS, iterations=30, hidden_units=(20, 20)))
    monkeypatch.setattr(ex, "IMAGES", replace(ex.IMAGES, iterations=50, cost_every=10))
    cases = ex.ACTIVATIONS.cases[:2]
    monkeypatch.setattr(ex, "ACTIVATIONS", replace(ex.ACTIVATIONS, cases=cases, n_layers=3))


def _written(out: Path, name: str) -> dict:
    assert (out / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


def test_digits_on_the_bundled_data_writes_its_figure_and_json_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["experiment", "digits", "--out", str(tmp_path), "--seed", "5"]) == EXIT_OK
    printed = capsys.readouterr().out
    written = _written(tmp_path, "digits")
    assert written["seed"] == 5
    assert [run["label"] for run in written["runs"]] == ["std 0.01", "Xavier", "He"]
    assert len(written["runs"][2]["curves"]["smoothed_loss"]) == 30
    assert "8x8 digits: 1442 training and 355 test examples" in printed
    for run in written["runs"]:
        line = next(line for line in printed.splitlines() if line.startswith(run["label"] + " "))
        assert f"{run['figures']['final_smoothed_loss']:.4f}" in line


def test_images_on_the_bundled_data_compares_the_four_initializations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["experiment", "images", "--out", str(tmp_path)]) == EXIT_OK
    written = _written(tmp_path, "images")
    assert written["classes"] == ["3", "8"]
    assert written["x"] == [0, 10, 20, 30, 40, 50]
    assert [run["init"] for run in written["runs"]] == ["zeros", "random", "he", "xavier"]
    printed = capsys.readouterr().out
    assert "zeros " in printed
    assert "x10 " in printed
    assert "saturated" in printed


def test_activations_writes_the_spread_of_each_layer_for_each_case(tmp_path: Path) -> None:
    assert main(["experiment", "activations", "--out", str(tmp_path)]) == EXIT_OK
    written = _written(tmp_path, "activations")
    assert [run["label"] for run in written["runs"]] == ["std 0.01, relu", "He, relu"]
    assert written["x"] == [1, 2, 3]
    assert len(written["runs"][0]["curves"]["std"]) == 3


def test_digits_with_an_mnist_folder_trains_on_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mnist(tmp_path / "mnist", np.random.default_rng(0), sizes=(40, 10))
    out = tmp_path / "out"
    args = ["experiment", "digits", "--data", str(tmp_path / "mnist"), "--out", str(out)]
    assert main(args) == EXIT_OK
    assert "MNIST" in _written(out, "digits")["data"]
    assert "40 training and 10 test examples of 784 features" in capsys.readouterr().out


def test_images_with_a_folder_of_two_classes_of_pngs_trains_on_them(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "pictures", np.random.default_rng(1), per_class=5)
    out = tmp_path / "out"
    args = ["experiment", "images", "--data", str(tmp_path / "pictures"), "--out", str(out)]
    assert main(args) == EXIT_OK
    written = _written(out, "images")
    assert written["classes"] == ["left", "right"]
    assert "8 training and 2 test examples of 12288 features" in written["data"]


def test_images_with_an_mnist_folder_takes_its_two_digit_classes(tmp_path: Path) -> None:
    write_mnist(tmp_path / "mnist", np.random.default_rng(2), sizes=(30, 10), classes=(3, 5, 8))
    args = ["experiment", "images", "--data", str(tmp_path / "mnist"), "--out", str(tmp_path)]
    assert main(args) == EXIT_OK
    assert _written(tmp_path, "images")["classes"] == ["3", "8"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["digits", "--data", "{tmp}/nowhere"], "{tmp}/nowhere: no such file or folder"),
        (["digits", "--download"], "--download needs --data FOLDER"),
        (["activations", "--data", "{tmp}"], "--data does not apply"),
        (["images", "--data", "{tmp}"], "no class subfolders"),
        (["digits", "--seed", "-1"], "'-1' is below 0"),
    ],
)
def test_unusable_data_options_are_usage_errors_that_say_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    filled = [arg.format(tmp=tmp_path) for arg in args]
    assert main(["experiment", *filled, "--out", str(tmp_path / "out")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert says.format(tmp=tmp_path) in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_folder_of_one_class_is_a_usage_error_and_a_folder_too_small_to_test_still_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_image_folder(tmp_path / "pictures", np.random.default_rng(4), per_class=2)
    args = ["experiment", "digits", "--data", str(tmp_path / "pictures"), "--out", str(tmp_path)]
    assert main(args) == EXIT_OK  # two images a class: nothing is held out
    assert "no test" in capsys.readouterr().out
    assert _written(tmp_path, "digits")["runs"][0]["figures"]["test_accuracy"] is None
    for image in (tmp_path / "pictures" / "right").iterdir():
        image.unlink()
    (tmp_path / "pictures" / "right").rmdir()
    assert main(args) == EXIT_USAGE
    assert "needs examples of two classes at least; it has left" in capsys.readouterr().err


def test_a_corrupt_mnist_file_is_a_usage_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mnist(tmp_path, np.random.default_rng(3), sizes=(8, 4), compress=False)
    labels = tmp_path / MNIST_STEMS["test"][1]
    labels.write_bytes(labels.read_bytes()[:-2])
    assert main(["experiment", "digits", "--data", str(tmp_path)]) == EXIT_USAGE
    assert f"{labels}: " in capsys.readouterr().err


def test_an_output_folder_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    assert main(["experiment", "activations", "--out", str(blocker / "out")]) == EXIT_USAGE
    assert "cannot be written" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("seed", "says"),
    [
        ("9" * 5000, "is too big; a seed is a whole number from 0 to 4294967295"),
        (str(2**32), "'4294967296' is too big"),
        ("1e3", "'1e3' is not a whole number in digits"),
        ("-7", "'-7' is below 0"),
    ],
)
def test_a_seed_out_of_numpys_range_is_refused_saying_the_range_and_echoing_little(
    capsys: pytest.CaptureFixture[str], seed: str, says: str
) -> None:
    assert main(["experiment", "digits", "--seed", seed]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert says in err
    assert len(err) < 1000  # the 5,000 digits are cut, the cut said
    assert "Traceback" not in err


def test_the_largest_seed_numpy_takes_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = f"000{2**32 - 1}"  # parsed, then --data is what is refused: no run is needed
    assert main(["experiment", "activations", "--seed", seed, "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--data does not apply" in err
    assert "seed" not in err


@pytest.mark.parametrize("option", ["--data", "--out"])
def test_an_empty_path_is_refused_rather_than_taken_for_the_current_folder(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    assert main(["experiment", "images", option, ""]) == EXIT_USAGE
    assert f"argument {option}: an empty path" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["file", "file/under"])
def test_an_output_folder_that_cannot_be_made_is_refused_before_any_training(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    out: str,
) -> None:
    (tmp_path / "file").write_text("in the way")

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before the output folder was checked")

    monkeypatch.setattr(ex, "run_images", no_training)
    assert main(["experiment", "images", "--out", str(tmp_path / out)]) == EXIT_USAGE
    says = (
        f"--out {tmp_path / out}: cannot be written ({tmp_path / 'file'} is a file, not a folder)"
    )
    assert says in capsys.readouterr().err


def test_a_data_error_reaches_the_terminal_through_the_door(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_image_folder(tmp_path / "pictures", np.random.default_rng(5), per_class=2)
    (tmp_path / "pictures" / "left" / "\x1b[2Jbroken.png").write_bytes(b"not a png")
    args = ["experiment", "images", "--data", str(tmp_path / "pictures"), "--out", str(tmp_path)]
    assert main(args) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "\\x1b[2Jbroken.png: not a readable image" in err
    assert "\x1b" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_progress_bar_of_the_training_steps(tmp_path: Path) -> None:
    from grader.cli import experiment

    err = _Terminal()
    args = experiment_args(tmp_path)
    assert experiment.run(args, out=io.StringIO(), err=err) == EXIT_OK
    assert "200/200" in err.getvalue()  # 4 initializations of 50 steps


def experiment_args(tmp_path: Path):
    import argparse

    return argparse.Namespace(which="images", data=None, out=tmp_path, seed=1, download=False)
