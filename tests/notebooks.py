"""Student notebooks as the two generations of this exercise's course wrote them, for fixtures.

``old_generation`` imports ``init_utils`` and scikit-learn, uses ``%matplotlib inline`` and runs
training at the top level; ``new_generation`` adds ``public_tests``, autoreload magics, a shell
line and nbgrader-style cell metadata. Both take the source of each graded cell, so a test can put
any function (correct or mistaken) where the student's answer goes.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ZEROS = """# GRADED FUNCTION: initialize_parameters_zeros

def initialize_parameters_zeros(layers_dims):
    parameters = {}
    L = len(layers_dims)  # input layer included

    for l in range(1, L):
        ### START CODE HERE ###
        parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters"""

RANDOM = """# GRADED FUNCTION: initialize_parameters_random

def initialize_parameters_random(layers_dims):
    np.random.seed(3)  # same draws as the expected output
    parameters = {}
    L = len(layers_dims)

    for l in range(1, L):
        ### START CODE HERE ###
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters"""

HE = """# GRADED FUNCTION: initialize_parameters_he

def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1  # weight layers

    for l in range(1, L + 1):
        ### START CODE HERE ###
        scale = np.sqrt(2. / layers_dims[l-1])
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * scale
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters"""

MODEL = """def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True,
          initialization="he"):
    starts = {"zeros": initialize_parameters_zeros, "random": initialize_parameters_random,
              "he": initialize_parameters_he}
    parameters = starts[initialization]([X.shape[0], 10, 5, 1])
    for step in range(num_iterations):
        a3, cache = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, cache)
        if print_cost and step % 1000 == 0:
            print(f"step {step}: cost {compute_loss(a3, Y):.6f}")
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters"""


def _code(source: str, **metadata: object) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata.update(metadata)
    return cell


def old_generation(zeros: str = ZEROS, random: str = RANDOM, he: str = HE) -> nbformat.NotebookNode:
    """The older notebook: init_utils, scikit-learn, magics, training runs at the top level."""
    md = nbformat.v4.new_markdown_cell
    cells = [
        md("# Initialization"),
        _code(
            "import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn\n"
            "import sklearn.datasets\nfrom init_utils import sigmoid, relu, compute_loss, "
            "forward_propagation, backward_propagation\nfrom init_utils import update_parameters, "
            "predict, load_dataset, plot_decision_boundary, predict_dec\n\n%matplotlib inline\n"
            "plt.rcParams['figure.figsize'] = (7.0, 4.0)\n\ntrain_X, train_Y, test_X, test_Y = "
            "load_dataset()"
        ),
        _code(MODEL),
        _code(zeros),
        _code(
            "parameters = initialize_parameters_zeros([3,2,1])\n"
            'print("W1 = " + str(parameters["W1"]))'
        ),
        _code(
            'parameters = model(train_X, train_Y, initialization = "zeros")\n'
            "train_predictions = predict(train_X, train_Y, parameters)"
        ),
        _code(random),
        _code(
            'parameters = model(train_X, train_Y, initialization = "random")\n'
            "plt.title('random x10')\n"
            "plot_decision_boundary(lambda x: predict_dec(parameters, x.T), train_X, train_Y)"
        ),
        _code(he),
        _code('parameters = model(train_X, train_Y, initialization = "he")'),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def new_generation(zeros: str = ZEROS, random: str = RANDOM, he: str = HE) -> nbformat.NotebookNode:
    """The newer notebook: public_tests, autoreload, a pip line, nbgrader-style metadata."""

    def graded(source: str, grade_id: str) -> nbformat.NotebookNode:
        return _code(
            source,
            deletable=False,
            nbgrader={"grade": False, "grade_id": grade_id, "locked": False, "solution": True},
        )

    cells = [
        _code("!pip install --quiet numpy"),
        _code(
            "import numpy as np\nimport matplotlib.pyplot as plt\nfrom init_utils import *\n"
            "from public_tests import *\n\n%matplotlib inline\n%load_ext autoreload\n%autoreload 2"
        ),
        _code("train_X, train_Y, test_X, test_Y = load_dataset()"),
        _code(MODEL),
        graded(zeros, "cell-zeros"),
        _code("initialize_parameters_zeros_test(initialize_parameters_zeros)"),
        graded(random, "cell-random"),
        _code("initialize_parameters_random_test(initialize_parameters_random)"),
        graded(he, "cell-he"),
        _code("%%time\nparameters = model(train_X, train_Y, initialization = 'he')"),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, str(path))
    return path
