"""``initgrade experiment digits|images|activations``: run one of the comparisons behind the
exercise; write its figure (PNG) and its curves and figures (JSON), and print its table.

``--data`` points at a folder of MNIST's IDX files or of one subfolder of images per class
(default: the bundled 8x8 digits); ``--download`` first fetches MNIST's missing files into
that folder, checking each file's SHA-256. A data file that is missing or cannot be read is a
usage error naming it.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from grader.errors import UsageError
from grader.untrusted import safe_path, safe_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from reference.experiments import Comparison, Dataset

EXPERIMENTS = ("digits", "images", "activations")
# Seeds 0 .. 2**32 - 1: the range every numpy seeding function takes (np.random.seed as well as
# default_rng), so that a run's seed can be reused anywhere and stays exact in any JSON reader.
MAX_SEED = 2**32 - 1
SEED_RANGE = f"a seed is a whole number from 0 to {MAX_SEED}"
SHOWN = 40  # characters of a refused option value echoed back
COLUMNS = {
    "digits": (
        ("loss_at_start", "loss at 0", ".4f", "-"),
        ("final_smoothed_loss", "final loss", ".4f", "-"),
        ("learning_from", "learns from", "d", "never"),
        ("train_accuracy", "train acc", ".4f", "-"),
        ("test_accuracy", "test acc", ".4f", "no test"),
    ),
    "images": (
        ("cost_at_start", "cost at 0", ".6f", "-"),
        ("final_cost", "final cost", ".6f", "-"),
        ("train_accuracy", "train acc", ".4f", "-"),
        ("test_accuracy", "test acc", ".4f", "no test"),
        ("saturated_at_start", "saturated", ".2f", "-"),
    ),
    "activations": (
        ("std_first_layer", "std layer 1", ".3g", "-"),
        ("std_last_layer", "std last", ".3g", "-"),
    ),
}
NOTES = {
    "digits": "final loss: mean of the last {smoothing} batch losses; learns from: the first"
    " iteration at which that mean is below {learned} ln(classes)",
    "images": "cost at 0 and final cost over the training set; saturated: share of hidden"
    " units with |a| > {saturated} at the start",
    "activations": "std of each layer's activations over {n_samples} N(0, 1) inputs",
}


def _seed(text: str) -> int:
    """A whole number from 0 to ``MAX_SEED``, written in digits; what is refused is echoed
    through the door, cut to ``SHOWN``."""
    shown = f"'{safe_text(text, limit=SHOWN)}'"
    digits = text.strip()
    if digits.startswith("-") and digits[1:].isascii() and digits[1:].isdigit():
        raise argparse.ArgumentTypeError(f"{shown} is below 0; {SEED_RANGE}")
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(f"{shown} is not a whole number in digits; {SEED_RANGE}")
    significant = digits.lstrip("0") or "0"  # int() refuses over 4,300 digits; none are needed
    if len(significant) > len(str(MAX_SEED)) or int(significant) > MAX_SEED:
        raise argparse.ArgumentTypeError(f"{shown} is too big; {SEED_RANGE}")
    return int(significant)


def _path(text: str) -> Path:
    """A path that is not empty: ``Path("")`` is the current folder, which no one means by an
    empty ``--data ""`` or ``--out ""`` (an unset variable, most likely)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give the folder itself ('.' for here)")
    return Path(text)


def add_parser(commands: Any, name: str) -> None:
    from reference.experiments import EXPERIMENT_SEED

    parser = commands.add_parser(
        name,
        help="run a comparison behind the exercise (digits, images, activations); write its"
        " figure and JSON, print its table",
    )
    parser.add_argument("which", choices=EXPERIMENTS, help="the comparison to run")
    parser.add_argument(
        "--data",
        type=_path,
        help="a folder of MNIST's IDX files, or with one subfolder of images per class"
        " (default: the bundled 8x8 digits)",
    )
    parser.add_argument(
        "--out", type=_path, default=Path("."), help="folder for the PNG and JSON (default: .)"
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=EXPERIMENT_SEED,
        help=f"seed of the runs' generator, 0 to {MAX_SEED}",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="first download MNIST's files that the --data folder lacks (checksums checked)",
    )


def _data(args: argparse.Namespace, err: TextIO) -> Dataset | None:
    from reference.experiments import IMAGES, fetch_mnist, load_data

    if args.download:
        if args.data is None:
            raise UsageError("--download needs --data FOLDER: where to keep MNIST's files")
        for path in fetch_mnist(args.data):
            print(f"downloaded {path}", file=err)
    if args.data is None:
        return None
    if args.which == "activations":
        raise UsageError("the activations experiment draws its own inputs: --data does not apply")
    return load_data(args.data, IMAGES.image_size)


def _progress_bar(which: str, err: TextIO) -> Any:
    from tqdm import tqdm

    from reference.experiments import DIGITS, IMAGES

    totals = {
        "digits": DIGITS.iterations * len(DIGITS.initializations),
        "images": IMAGES.iterations * len(IMAGES.initializations),
    }
    return tqdm(
        total=totals.get(which, 0), desc=which, unit="step", file=err, disable=not err.isatty()
    )


def _compute(
    which: str, data: Dataset | None, seed: int, err: TextIO
) -> tuple[Comparison, Callable[[Figure], object]]:
    """The comparison, and what draws its figure on a new ``Figure``.

    BLAS runs on one thread: the nets' products are small (100 x 100 by 128 at most on the
    bundled digits), and on a busy machine BLAS threads waiting for each other made a digits
    run 7 times slower than one thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _compare(which, data, seed, err)


def _compare(
    which: str, data: Dataset | None, seed: int, err: TextIO
) -> tuple[Comparison, Callable[[Figure], object]]:
    from reference import experiments as ex

    if which == "activations":
        comparison, activations = ex.run_activations(seed, ex.ACTIVATIONS)
        return comparison, lambda fig: ex.plot_activations(fig, comparison, activations)
    with _progress_bar(which, err) as bar:
        if which == "digits":
            digits = ex.run_digits(data, seed, ex.DIGITS, bar.update)
            return digits, lambda fig: ex.plot_digits(fig.subplots(), digits)
        images = ex.run_images(data, seed, ex.IMAGES, bar.update)
    return images, lambda fig: ex.plot_images(fig.subplots(1, 2), images)


FIGURE_SIZES = {"digits": (7.0, 4.5), "images": (11.0, 4.2), "activations": (13.0, 8.5)}


def _write(comparison: Comparison, draw: Callable[[Figure], object], out: Path) -> list[Path]:
    """The PNG and the JSON of ``comparison`` in the folder ``out``."""
    from matplotlib.figure import Figure

    png, data = out / f"{comparison.experiment}.png", out / f"{comparison.experiment}.json"
    fig = Figure(figsize=FIGURE_SIZES[comparison.experiment], layout="constrained")
    draw(fig)
    try:
        out.mkdir(parents=True, exist_ok=True)
        fig.savefig(png, dpi=100)
        data.write_text(json.dumps(comparison.to_json(), indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{error.filename or out}: cannot be written ({error.strerror})") from None
    return [png, data]


def _check_out(out: Path) -> None:
    """Refuse, before any training, an ``--out`` that cannot become a folder to write in: it,
    or a folder it would be made in, is a file, or the nearest folder that exists is not
    writable. Nothing is made here; ``_write`` makes the folder once there is something in it."""
    for folder in (out, *out.parents):
        if folder.is_dir():
            if not os.access(folder, os.W_OK | os.X_OK):
                _unwritable(out, f"{safe_path(folder)} is not writable")
            return
        if folder.exists() or folder.is_symlink():
            what = "a file" if folder.exists() else "a symbolic link that cannot be followed"
            _unwritable(out, f"{safe_path(folder)} is {what}, not a folder")


def _unwritable(out: Path, why: str) -> NoReturn:
    raise UsageError(f"--out {safe_path(out)}: cannot be written ({why})")


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from reference.experiments import DataError, table

    try:
        data = _data(args, err)
        _check_out(args.out)
        comparison, draw = _compute(args.which, data, args.seed, err)
    except DataError as error:
        raise UsageError(safe_text(str(error))) from None
    written = _write(comparison, draw, args.out)
    print(f"{comparison.data}; seed {comparison.seed}; {comparison.seconds:.1f} s", file=out)
    print(table(comparison, COLUMNS[args.which]), file=out)
    print(NOTES[args.which].format(**comparison.settings), file=out)
    print(f"wrote {' and '.join(str(path) for path in written)}", file=out)
    return 0
