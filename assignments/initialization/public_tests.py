"""Self-checks for the initialization assignment: run them from the notebook as you go.

Each ``*_test`` function calls your initializer on the example from the notebook (and on a deeper
network, for shapes only), prints what is wrong in plain words, and raises ``AssertionError`` if
anything is. Passing these checks is a good sign, not a grade: the grader also tries other inputs.

The block of published values below (the seed, the values, each method's title, scale and check)
is written by ``initgrade release`` from the reference solution; the rest of this file is edited
by hand.
"""

from __future__ import annotations

import numpy as np

# BEGIN PUBLISHED VALUES
__all__ = [
    "initialize_parameters_he_test",
    "initialize_parameters_random_test",
    "initialize_parameters_zeros_test",
]

SEED = 3  # every initializer calls np.random.seed(SEED) once
PUBLISHED = {
    "zeros": {
        "layers_dims": [3, 2, 1],
        "W1": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
        "W2": [[0.0, 0.0]],
    },
    "random": {
        "layers_dims": [3, 2, 1],
        "W1": [
            [17.886284734303185, 4.365098505119894, 0.9649746807200863],
            [-18.634927033644907, -2.7738820251439904, -3.5475897926898674],
        ],
        "W2": [[-0.8274148148245977, -6.270006768238473]],
    },
    "he": {
        "layers_dims": [2, 4, 1],
        "W1": [
            [1.7886284734303186, 0.43650985051198943],
            [0.09649746807200862, -1.8634927033644908],
            [-0.27738820251439905, -0.35475897926898675],
            [-0.08274148148245977, -0.6270006768238473],
        ],
        "W2": [
            [-0.030984124422056857, -0.33744410537169206, -0.9290426766647434, 0.6255224840406426],
        ],
    },
}
# How each method is named where the checks have no words of their own for it.
TITLES = {
    "zeros": "zeros",
    "random": "random x10",
    "he": "He",
}
# Weight scale of each method for a layer of fan_in = layers_dims[l-1] inputs and
# fan_out = layers_dims[l] units.
EXPECTED_SCALE = {
    "random": lambda fan_in, fan_out: 10.0,
    "he": lambda fan_in, fan_out: np.sqrt(2 / fan_in),
}


def initialize_parameters_zeros_test(target):
    _run_checks(target, "zeros")


def initialize_parameters_random_test(target):
    _run_checks(target, "random")


def initialize_parameters_he_test(target):
    _run_checks(target, "he")


# END PUBLISHED VALUES

# A deeper network, checked for keys, shapes and zero biases only (no published values needed).
DEEPER_LAYERS_DIMS = [5, 4, 3, 2, 1]
# Your numbers may differ from the published ones by rounding in the last digits, nothing more.
RTOL, ATOL = 1e-6, 1e-10


def _run_checks(target, method):
    name = getattr(target, "__name__", repr(target))
    case = PUBLISHED[method]
    problems = _check_call(target, case["layers_dims"], case, method)
    if not problems:
        problems = _check_call(target, DEEPER_LAYERS_DIMS, None, method)
    if not problems:
        print(f"All checks passed for {name}.")
        return
    print(f"{name}: {len(problems)} check(s) failed.")
    for problem in problems:
        print(" - " + problem)
    raise AssertionError(f"{name}: {problems[0]}")


def _check_call(target, layers_dims, case, method):
    """All problems found with ``target(layers_dims)``, as sentences; an empty list means fine."""
    argument = list(layers_dims)
    call = f"{getattr(target, '__name__', 'your function')}({layers_dims})"
    try:
        result = target(argument)
    except Exception as error:
        raise AssertionError(f"{call} raised {type(error).__name__}: {error}") from error
    if argument != list(layers_dims):
        return [f"{call} changed its argument to {argument}; leave layers_dims as it is."]
    problems = _check_structure(result, layers_dims, call)
    if problems:
        return problems
    if case is not None:
        problems += _check_values(result, case, method)
    return problems


def _check_structure(result, layers_dims, call):
    if not isinstance(result, dict):
        hint = " Did you forget `return parameters`?" if result is None else ""
        return [f"{call} returned {type(result).__name__}; expected a dict of arrays.{hint}"]
    n_layers = len(layers_dims) - 1
    expected = [f"{kind}{layer}" for layer in range(1, n_layers + 1) for kind in "Wb"]
    missing = [key for key in expected if key not in result]
    unexpected = sorted(str(key) for key in result if key not in expected)
    problems = []
    if missing:
        problems.append(
            f"missing key(s) {', '.join(missing)}: layers_dims = {layers_dims} has "
            f"{len(layers_dims)} entries, so there are L = {n_layers} layers and the keys are "
            f"W1, b1, ..., W{n_layers}, b{n_layers}. Does your loop run for l = 1, ..., L?"
        )
    if unexpected:
        problems.append(f"unexpected key(s) {', '.join(unexpected)}; expected only {expected}.")
    for key in expected:
        if key in result:
            problems += _check_array(key, result[key], layers_dims)
    return problems


def _check_array(key, value, layers_dims):
    layer = int(key[1:])
    if key[0] == "W":
        shape = (layers_dims[layer], layers_dims[layer - 1])
        source = f"(layers_dims[{layer}], layers_dims[{layer - 1}])"
    else:
        shape = (layers_dims[layer], 1)
        source = f"(layers_dims[{layer}], 1)"
    if value is None:
        return [f"{key} is None: replace the `None` placeholder with your code."]
    if not isinstance(value, np.ndarray):
        return [f"{key} is a {type(value).__name__}; expected a numpy array."]
    if value.shape != shape:
        hint = " It looks transposed." if value.shape == shape[::-1] else ""
        if key[0] == "b" and value.shape == shape[:1]:
            hint = " Biases are column vectors: give np.zeros a shape with two entries."
        return [f"{key} has shape {value.shape}; expected {shape} = {source}.{hint}"]
    if not np.issubdtype(value.dtype, np.floating):
        return [f"{key} has dtype {value.dtype}; expected floating-point numbers (float64)."]
    if key[0] == "b" and np.any(value != 0):
        return [f"{key} should be all zeros; its largest entry is {np.max(np.abs(value)):.4g}."]
    return []


def _check_values(result, case, method):
    keys = sorted(key for key in case if key.startswith("W"))
    wrong = [key for key in keys if not np.allclose(result[key], case[key], rtol=RTOL, atol=ATOL)]
    problems = []
    for key in wrong:
        got, expected = result[key], np.array(case[key])
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
        where = f"{key}[{', '.join(str(int(i)) for i in worst)}]"
        problems.append(
            f"{key} differs from the published values: {where} is {got[worst]:.8g}, "
            f"expected {expected[worst]:.8g}."
        )
    if problems:
        problems[0] += " " + _diagnose({key: result[key] for key in keys}, case, method)
    return problems


def _diagnose(weights, case, method):
    """A hint about what went wrong, from the numbers alone."""
    if method == "zeros":
        return "Every weight should be 0 for this initialization."
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = {key: w / np.array(case[key]) for key, w in weights.items()}
    if all(np.allclose(f, f.flat[0], rtol=RTOL) for f in factors.values()):
        return _explain_scale({key: float(f.flat[0]) for key, f in factors.items()}, case, method)
    if all(np.all(w >= 0) for w in weights.values()):
        return "All your weights are positive: use np.random.randn (normal), not rand (uniform)."
    if _looks_reseeded(weights, case, method):
        return (
            f"Later layers repeat the first draws after seeding: call np.random.seed({SEED}) "
            "once, before the loop, not inside it."
        )
    return (
        f"Check that you call np.random.seed({SEED}) once at the top and draw each layer in "
        "order with np.random.randn and the shape (layers_dims[l], layers_dims[l - 1])."
    )


SCALE_MISTAKES = {
    "Did you forget to scale the draws?": lambda fan_in, fan_out: 1.0,
    "That is the x 10 of the large random initialization.": lambda fan_in, fan_out: 10.0,
    "That is He's sqrt(2/n).": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
    "Did you use sqrt(1/n) (Xavier) instead of sqrt(2/n)?": lambda fan_in, fan_out: np.sqrt(
        1.0 / fan_in
    ),
    "Did you forget the square root in sqrt(2/n)?": lambda fan_in, fan_out: 2.0 / fan_in,
    "n is layers_dims[l-1], the size of the previous layer, not layers_dims[l].": (
        lambda fan_in, fan_out: np.sqrt(2.0 / fan_out)
    ),
}
METHOD_NAMES = {
    "random": "the large random initialization",
    "he": "He initialization",
    "xavier": "Xavier initialization",
}


def _explain_scale(factors, case, method):
    """The draws are right and each layer is off by one factor: name it, and guess the cause."""
    layers_dims = case["layers_dims"]
    used = {}
    for key, factor in factors.items():
        fan_in = layers_dims[int(key[1:]) - 1]
        fan_out = layers_dims[int(key[1:])]
        used[key] = (factor * EXPECTED_SCALE[method](fan_in, fan_out), fan_in, fan_out)
    off = " and ".join(f"{key} is {factor:.3g}x" for key, factor in factors.items())
    name = METHOD_NAMES.get(method, f"{TITLES[method]} initialization")
    text = f"Your random draws are right but not their scale: {off} what {name}"
    text += " expects."
    for hint, scale in SCALE_MISTAKES.items():
        if all(
            np.isclose(u, scale(fan_in, fan_out), rtol=RTOL) for u, fan_in, fan_out in used.values()
        ):
            return f"{text} {hint}"
    return text


def _looks_reseeded(weights, case, method):
    """Whether a later layer holds the first standard-normal draws after the seed (W1's)."""
    dims = case["layers_dims"]
    first = (np.array(case["W1"]) / EXPECTED_SCALE[method](dims[0], dims[1])).ravel()
    for key, got in weights.items():
        layer = int(key[1:])
        draws = got.ravel() / EXPECTED_SCALE[method](dims[layer - 1], dims[layer])
        if key != "W1" and draws.size <= first.size and np.allclose(draws, first[: draws.size]):
            return True
    return False
