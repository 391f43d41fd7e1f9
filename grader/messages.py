"""Every sentence the grader shows a student, in one place.

Each template says what was checked, what came back, what was expected, and a hint. Fill them with
``str.format``; the modules that use a section are named in its heading.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Checks, properties, outcome, diagnosis and grading
# (grader.checks, grader.properties, grader.outcome, grader.diagnosis, grader.grading)
# ---------------------------------------------------------------------------------------------

# -- untrusted text and warnings, bounded (grader.untrusted)
TEXT_CUT = " ... [{count:,} more characters]"
NOTES_MORE = "... and {count:,} more warnings like: {example}"
NOTES_OMITTED = "... and {count:,} more warnings."

# -- a call that did not return parameters
CALL_FAILED = "For layers_dims={dims} the call did not return parameters: {reason}"
CALL_NOT_RUN = "not run: an earlier call of this function already failed ({reason})"
MISSING_FUNCTION = "{name} is not defined in your notebook.{suggestion}"
MISSING_SUGGESTION = " Did you mean {candidate!r}? The grader looks for the exact name {name!r}."
MISSING_NO_SUGGESTION = " Define it with exactly this name, in a cell marked # GRADED FUNCTION."

# -- exact comparison, visible cases
MISSING_KEYS = (
    "For layers_dims={dims} the dictionary has no {missing}; it has {got}. Expected exactly "
    "{expected}: 'W' + str(l) and 'b' + str(l) for l = 1 .. len(layers_dims) - 1."
)
EXTRA_KEYS = (
    "For layers_dims={dims} the dictionary has unexpected keys {extra}. Expected exactly "
    "{expected}: one W and one b per layer after the input layer."
)
WRONG_SHAPE = "For layers_dims={dims}: {key} has shape {got}; expected {expected} = {formula}."
NOT_FINITE = "For layers_dims={dims}: {key} contains {what}; every entry must be a finite number."
WRONG_VALUE = (
    "For layers_dims={dims}: {key}{index} is {got:.8g}; expected {expected:.8g} "
    "({count} of {size} entries of {key} differ). {hint}"
)
# The hint for wrong weights, from the method's scale (grader.sentences.weights_hint)
HINT_WEIGHTS_ZERO = "Every weight is 0: np.zeros((layers_dims[l], layers_dims[l - 1]))."
HINT_WEIGHTS_DRAWN = (
    "Seed once with np.random.seed({seed}) before the loop, then "
    "np.random.randn(layers_dims[l], layers_dims[l - 1]) * {code}{each}."
)
HINT_WEIGHTS_EACH = " for each layer"  # after a constant factor, which names no layer
HINT_BIASES = "Biases start at zero: np.zeros((layers_dims[l], 1))."
WEIGHT_SHAPE_FORMULA = "(layers_dims[{l}], layers_dims[{prev}])"
BIAS_SHAPE_FORMULA = "(layers_dims[{l}], 1)"

# -- exact comparison, hidden cases: never a hidden value, a hidden shape or hidden dims
HIDDEN_FAILED = (
    "Hidden case ({label}, layers_dims of length {length}) failed: {problem}. This case uses "
    "other layer sizes than the notebook; build every shape and scale from layers_dims."
)
HIDDEN_PROBLEM = {
    "missing": "the key(s) {keys} are missing",
    "extra": "there are {count} unexpected key(s)",  # their names are the function's to choose
    "shape": "{key} has the wrong shape",
    "nonfinite": "{key} contains values that are not finite",
    "value": "{key} has values that differ from the expected ones",
    "call": "the call did not return parameters: {reason}",
}
PASSED = "passed"
# A visible case's points are earned on its extensions (grader.checks._hard_coding), whose sizes
# and values are never shown.
EXTENSION_LONGER = "one more layer after these"
EXTENSION_WIDER = "a wider last layer"
VISIBLE_NOT_EXTENDED = (
    "Your answer for layers_dims={dims} matches the notebook's, but the same layers_dims with "
    "{which} (sizes not shown) does not get the reference's answer: {problem}. The notebook "
    "prints this answer, so its points are earned where it is not printed: with one seed at the "
    "top and the draws in layer order, the answer there starts with this one. Build every layer "
    "from layers_dims, whatever its length and sizes."
)
VISIBLE_EARNED_ON_EXTENSIONS = (
    "Points given for the construction: with one more layer, and with a wider last layer (sizes "
    "not shown), your function gets the reference's answer, which starts with the published one "
    "for layers_dims={dims}. Its answer for {dims} itself differs: {differs}"
)

# -- properties on generated layers_dims (these dims are generated, never hidden)
PROPERTY_PASSED = "passed on every call, {count} layers_dims in all"
PROPERTY_FAILED = "{problem} (the smallest of {failed} failing inputs out of {count} tried)"
PROPERTY_STOPPED = (
    "could not be checked: the function stopped responding on layers_dims={dims} ({reason})"
)
PROPERTY_UNCHECKED = "could not be checked: the function returned no parameters on any input"
PROPERTY_EXAMPLES_ONLY = (
    "could not be checked: the function returned parameters only for the notebook's examples, "
    "and its answers there are not counted (see the visible cases)"
)
BIASES_NOT_ZERO = "{key} has nonzero entries; " + HINT_BIASES
INPUT_MUTATED = (
    "layers_dims was {before} before the call and {after} after it; read layers_dims, never "
    "change it (the caller still needs it)"
)
NOT_REPRODUCIBLE = (
    "{key} changed when the global random state was different before the call; call "
    "np.random.seed({seed}) once at the top of the function so the draws never depend on "
    "earlier code"
)
ZEROS_NOT_ZERO = "{key} has nonzero entries; {name} sets every weight to 0"
SCALE_OFF = (
    "{key}'s standard deviation is {got:.3g}; {expects} (a correct layer of {size} weights "
    "falls in [{lo:.3g}, {hi:.3g}])"
)
# What a method's scale is, for one layer (grader.sentences.expects); the name is the method
# record's scale_name, the formula its scale for that layer
EXPECTS_CONSTANT = "{name} expects {formula}"
EXPECTS_PER_LAYER = "{name} for fan-in {fan_in} expects {expected:.3g} = {formula}"
EXPECTS_PER_LAYER_BOTH = (
    "{name} for fan-in {fan_in} and fan-out {fan_out} expects {expected:.3g} = {formula}"
)

# -- the outcome of training the reference model from the student's start
OUTCOME_NOT_TRAINED = "Not trained, the parameters do not fit the network: {problem}"
_OUTCOME = (
    "After {steps:,} training steps from your initialization the model reaches train accuracy "
    "{train:.4f} and test accuracy {test:.4f}; {method} is expected in train {train_band}, "
    "test {test_band} (published: {published[0]} / {published[1]})."
)
OUTCOME_PASSED = _OUTCOME
OUTCOME_FAILED = _OUTCOME + " {hint}"
OUTCOME_NEEDS_SCALE = (
    "{outcome} These points count only when the weight-scale check passes too, and it did not: "
    "a start on the notebook's own network is evidence of the method only when every layer of "
    "every network has its scale. Fix the scale, and these points come with it."
)

# -- diagnosis: what the grader saw directly (grader.diagnosis)
DIAG_HARD_CODED = (
    "Your function returns the notebook's example whatever layers_dims is: for layers_dims={dims} "
    "it returned {key} of shape {got}, expected {expected}. Build every array from layers_dims in "
    "a loop over the layers."
)
DIAG_ALSO = " Also: {more}"
DIAG_INPUT_MUTATED = (
    "Your function changes the list it is given (layers_dims was {before}, afterwards {after}); "
    "read layers_dims, never modify it."
)

# -- a returned value that is not a parameter dict (grader.grading.local_caller)
INVALID_NOT_DICT = "returned a {kind}, not a dict of numpy arrays"
INVALID_KEY = "returned a dict with the key {key}; every key must be a string such as 'W1'"
INVALID_VALUE = "returned {key} as a {kind}; every value must be a numpy array of real numbers"

# ---------------------------------------------------------------------------------------------
# Loading, extraction, the sandbox and --execute
# (grader.notebook, grader.extract, grader.sandbox and its _sandbox_* parts, grader.execute)
# ---------------------------------------------------------------------------------------------

# -- loading: each names the file and says what to do
LOAD_NOT_FOUND = "{path} does not exist; check the file name and submit the .ipynb notebook."
LOAD_DIRECTORY = "{path} is a folder, not a notebook; submit the .ipynb file inside it."
LOAD_NOT_REGULAR = "{path} is not a regular file (a device, pipe or socket); submit the notebook."
LOAD_UNREADABLE = "{path} cannot be read ({error}); check that its permissions allow reading."
LOAD_TOO_BIG = (
    "{path} is {size}, over the {limit} limit for a notebook. Clear the outputs (Kernel > Restart "
    "Kernel and Clear All Outputs), save, and submit again."
)
LOAD_EMPTY = "{path} is empty; save the notebook in Jupyter (File > Save) and submit it again."
LOAD_PYTHON_FILE = (
    "{path} is a Python script (.py), not a notebook; submit the .ipynb file you worked in."
)
LOAD_NOT_UTF8 = (
    "{path} is not UTF-8 text (the byte at offset {offset} cannot be decoded), so it is not a "
    "notebook or it was damaged; download the .ipynb again from Jupyter (File > Download)."
)
LOAD_NOT_JSON = (
    "{path} is not a notebook: it is not valid JSON (line {line}, column {column}: {error}).{hint} "
    "A notebook edited in a text editor or cut short while saving looks like this; open it in "
    "Jupyter, save, and submit again."
)
LOAD_LOOKS_LIKE_PYTHON = " It looks like Python source; submit the .ipynb notebook, not a script."
LOAD_NOT_NOTEBOOK = (
    "{path} is JSON but not a Jupyter notebook (its top level is a {kind} without a 'cells' list)."
)
LOAD_NOT_NOTEBOOK_DETAIL = "{path} is JSON but not a notebook that can be read: {error}"
LOAD_BAD_VERSION = (
    "{path} declares notebook format version {version!r}; versions 3 and 4 can be graded. Open it "
    "in a current Jupyter and save it again."
)
LOAD_UPGRADED = "{path} is an old version-3 notebook; it was upgraded to version 4 for grading."
LOAD_REPAIRED = "{path}: {what}"
LOAD_REPAIRED_ID = "{path}: the cell id {given!r} repeats an earlier cell's; it is now {new!r}."
LOAD_INVALID_BUT_USABLE = (
    "{path} does not fully follow the notebook format ({problem}); its cells could still be read, "
    "so it was graded."
)
LOAD_UNUSABLE_CELLS = (
    "{path} is a notebook whose cells cannot be read (a cell is not an object, or its source is "
    "not text)."
)
LOAD_NO_CODE = "{path} has no code cells, so there is nothing to grade; is it the right notebook?"

# -- extraction (cells are numbered from 1, markdown cells included)
EXTRACT_WHERE = "cell {cell}, line {line}"
EXTRACT_NOT_PYTHON = "Cell {cell} is a cell magic that is not Python (such as %%bash); left out."
EXTRACT_MARK_WITHOUT_DEF = (
    "Cell {cell} is marked as graded for {name}, but it does not define a function named {name}."
)
EXTRACT_REDEFINED = (
    "{name} is defined in cells {cells}; the last definition (cell {last}) is graded, as when the "
    "notebook runs from top to bottom."
)
EXTRACT_LEFT_OUT = (
    "{function} reads {name}, but the line that assigns it, {where} ({code}), is left out of "
    "grading: only imports, definitions and assignments built from constants (with numpy, math "
    "and builtins such as int or round) run when a notebook is graded. Assign {name} a constant, "
    "or compute it inside {function}."
)
EXTRACT_CELL_BROKEN = "The code at {where} does not compile ({error}); nothing in that cell runs."
EXTRACT_BROKEN_FALLBACK = (
    "{name} in the cell at {where} does not compile, so its earlier definition in cell {cell} is "
    "graded instead."
)
EXTRACT_BROKEN_FUNCTION = "{name} is in a cell that does not compile ({where}: {error})"
EXTRACT_TOO_LARGE = (
    "The notebook's code is {size}; the grader reads at most {limit} of it, for {seconds:g} s at "
    "most, so {count} cell(s) from cell {first} on were left out (cells that define a graded "
    "function are always read). Remove code the graded functions do not need."
)
EXTRACT_CELL_TOO_LARGE = (
    "Cell {cell} is {size}, over the {limit} the grader reads of one cell; only its definitions "
    "of {names} and its import lines were read."
)
EXTRACT_TOO_MANY = (
    "The notebook has more than {limit} top-level definitions; those from cell {cell} on were "
    "left out, except the graded functions."
)

# -- loading the program in the sandbox (warnings, one per skipped statement)
SANDBOX_IMPORT_FAILED = "{where}: could not import {module} ({error}); graded without it."
SANDBOX_TOP_LEVEL_ERROR = "{where}: {error} while loading the notebook's definitions; skipped."
SANDBOX_NOT_RUN_AT_LOAD = (
    "{where}: not run while loading the notebook's definitions, as {reason}: loading runs only "
    "definitions, imports and constants; skipped."
)
SANDBOX_NOT_RUN_REASONS = {
    "decorator": "it has a decorator",
    "default": "a default value or annotation of it calls code",
    "class_body": "its class body does more than define functions and constants",
    "class_base": "its class has a base that is not a plain class, or a metaclass",
}
SANDBOX_WHERE_PROGRAM = "line {line} of the graded code"
SANDBOX_LOAD_DIED = "the notebook's definitions could not be loaded: {reason}"
SANDBOX_LOAD_SKIPPED = (
    "{where}: loading the definition of {names} stopped the worker ({reason}); everything else "
    "was loaded without it."
)
SANDBOX_LOAD_SKIPPED_NAME = "its definition stopped the worker while loading ({reason})"
SANDBOX_NO_NAMES = "a top-level statement"

# -- why a call returned no parameters; each completes "the call did not return parameters: ..."
CALL_EXCEPTION = "{name} raised {error}{place}"
CALL_EXCEPTION_PLACE = " (in {function}, {where}: `{code}`)"
CALL_MISSING = "{name} is not defined in your notebook{detail}"
CALL_MISSING_SUGGESTION = "; did you mean {candidate!r}?"
CALL_MISSING_BROKEN = "; {reason}"
CALL_NOT_CALLABLE = "{name} is defined in your notebook as a value of type {kind}, not a function"
CALL_TIMEOUT = (
    "{name} did not finish within {seconds:g} s (an endless loop, or waiting for something that "
    "never comes)"
)
CALL_TIMEOUT_CPU = "the worker used up its {seconds} s of CPU time while {doing}"
CALL_TIMEOUT_LOAD = "the notebook's definitions took longer than {seconds:g} s to load"
CALL_MEMORY = "{name} ran out of memory (the limit is {mb} MB){detail}"
SANDBOX_START_BUDGET = (
    "the worker could not start: the notebook's processes had used up what a submission may use "
    "({mb} MB of memory, {processes} processes, all together)"
)
CALL_MEMORY_SUBMISSION = (
    "the worker was stopped while {doing}: the notebook's processes together held more memory "
    "than the {mb} MB a submission may use"
)
CALL_CRASH_EXIT = "the worker exited with status {code} while {doing}"
CALL_CRASH_SIGNAL = "the worker was killed by signal {signal} while {doing}"
CALL_CRASH_RAISED = (
    "{name} raised {kind}{detail}, which stops the whole program instead of reporting an error"
)
CALL_CRASH_GARBAGE = "the worker sent back something unreadable while {doing} ({detail})"
CALL_BUDGET_SPENT = "not run: this notebook used up its {seconds:g} s of grading time"
CALL_FUNCTION_BUDGET = (
    "stopped: the calls of this function together took its {seconds:g} s of grading time (time "
    "spent running or sleeping, not waiting for a busy machine, so it is the same on every run)"
)
CALL_TOO_MANY_RESTARTS = "not run: the worker already had to be restarted {count} times"
CALL_RUNNING = "running {name}"
CALL_LOADING = "loading the notebook's definitions"

# -- a returned value that is not a plain dict of real arrays (checked in the worker and again here)
RETURN_NONE = "{name} returned None; end the function with `return parameters`"
RETURN_TYPE = "{name} returned something of type {kind}, not a dict of numpy arrays"
RETURN_DICT_SUBCLASS = (
    "{name} returned a {kind}, a subclass of dict that defines {method} of its own, so what it "
    "shows may differ from what it holds; return a plain dict"
)
RETURN_KEY = (
    "{name} returned a dict with the key {key} of type {kind}; every key must be a string such "
    "as 'W1'"
)
RETURN_VALUE_TYPE = (
    "{name} returned {key} as something of type {kind}; every value must be a plain numpy array "
    "(np.ndarray, not a subclass such as np.matrix) of real numbers"
)
RETURN_VALUE_NONE = (
    "{name} returned {key} = None; replace the None placeholder between ### START CODE HERE ### "
    "and ### END CODE HERE ### with the array"
)
RETURN_DTYPE = "{name} returned {key} with dtype {dtype}; weights and biases are real numbers"
RETURN_NDIM = "{name} returned {key} with {ndim} dimensions; weights and biases are 2-D arrays"
RETURN_TOO_MANY = "{name} returned a dict with {count} entries; at most {limit} are accepted"
RETURN_TOO_LARGE = "{name} returned more than {limit} of arrays"
RETURN_INT_NOTE = "{key} holds {dtype} values; they were converted to float64 for grading"

# -- --execute: running the whole notebook in a kernel, for the record
EXECUTE_NO_KERNEL = "The notebook could not be run: no Jupyter kernel could start ({error})."
EXECUTE_KERNEL_SAID = "; the kernel's log ends with: {line}"
EXECUTE_NOT_DRIVEN = (
    "The run stopped in cell {cell}: the kernel was running, but the grader could not go on "
    "talking to it ({error}; a cell can cause this by sending the kernel's client a "
    "message it cannot read). The cells after it were not run."
)
EXECUTE_CELL_ERROR = "Cell {cell} raised {ename}: {evalue}"
EXECUTE_CELL_TIMEOUT = "Cell {cell} did not finish within {seconds:g} s and was stopped."
EXECUTE_KERNEL_DIED = "The kernel died while running cell {cell} (out of memory, or a crash)."
EXECUTE_TOO_LONG = "Running the notebook took longer than {seconds:g} s and was stopped."

# ---------------------------------------------------------------------------------------------
# The sandbox's own guarantees: what a call may leave behind, return, and take; refusal
# (grader.sandbox, grader.checks._loop, grader.checks._exact)
# ---------------------------------------------------------------------------------------------
CALL_LEFT_RUNNING = (
    "{name} returned while a process or thread it started was still running; a graded function "
    "must finish its work before it returns, so the call failed and what it started was stopped"
)
SANDBOX_LOAD_LEFT_RUNNING = (
    "the notebook's definitions could not be loaded: loading them started a process or thread "
    "that was still running afterwards (keep top-level code to imports and definitions)"
)
RETURN_TOO_LARGE_FOR = (
    "{name} returned {got} of arrays for layers_dims={dims}, more than the {limit} a reply may "
    "hold for that network; return only the W and b arrays"
)
NONDETERMINISTIC = (
    "{name} returned different values for layers_dims={dims} on two calls after the same "
    "seeding ({key} differs): its draws come from something the exercise does not control, such "
    "as np.random.seed() without an argument, the clock, or a counter kept between calls. Checks "
    "that compare values (the cases and the training outcome) fail for such a function, so it "
    "gets the same grade on every run; call np.random.seed({seed}) once at the top of the function."
)
NONDETERMINISTIC_KEYS = "the keys or the status"
NONDETERMINISTIC_LATER = (
    "{name} gave different answers to the same call, after the same seeding, depending on when "
    "it was made: first in a fresh process, and late among the grading's calls. Its answers "
    "depend on something kept between calls, such as a counter or a cache. Checks that compare "
    "values (the cases and the training outcome) fail for such a function, so it gets the same "
    "grade on every run; seed once at the top of the function and keep nothing between calls."
)
# A hidden case's failure names what happened, never the text the function produced (which could
# repeat the hidden layers_dims).
HIDDEN_CALL_REASON = {
    "missing": "the function is not defined",
    "exception": "it raised an exception",
    "invalid": "it did not return a plain dict of numpy arrays of real numbers",
    "timeout": "it ran out of time",
    "memory": "it ran out of memory",
    "crashed": "its worker stopped (an exit, a crash, or work left running)",
}
SANDBOX_REFUSED = (
    "initgrade will not grade on this machine: {reason}. Without Linux user namespaces a "
    "submission could read the answer key and reach the network. To grade safely, allow "
    "unprivileged user namespaces (sysctl user.max_user_namespaces > 0; in Docker or Podman, a "
    "seccomp profile that permits unshare and clone with CLONE_NEWUSER), or run the grader as "
    "root with its own files and the course's in folders other users cannot enter (chmod 700) "
    "and Python where they can, so that each worker runs as a fresh uid that cannot read them. "
    "To accept the risk and grade with resource limits and the import blocker only (in a "
    "throwaway container started with --network none that holds no solution), pass "
    "--accept-weak-isolation, or accept_weak_isolation=True from Python."
)

# -- isolation_report(): what protects the grader on this machine (for operators)
ISOLATION_ALWAYS = (
    "limits: RLIMIT_CPU, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE=0; each call's run-or-"
    "sleep time and each worker's wall clock enforced with SIGKILL of all it runs; scrubbed "
    "environment, PYTHONHASHSEED=0; imports of reference, grader and initgrade refused"
)
ISOLATION_WORKERS = (
    "workers: one per graded function, its hidden cases last, each forked from a zygote that "
    "imported Python and numpy once and never runs student code or holds a submission; each "
    "function's repeat in a fork of another function's worker; replies name the request they "
    "answer and are size-checked from their header; a call that leaves a process or thread "
    "running fails and everything is killed before the next call; a fresh session keyring and "
    "no keyring calls"
)
ISOLATION_BUDGET = {
    "proc": (
        "one budget per submission: read from /proc every 50 ms (the memory of all its "
        "processes together; each worker's processor time, children included); no control "
        "groups that hold a limit could be made here, so RLIMIT_NPROC counts each worker's "
        "processes"
    ),
    "groups": (
        "one budget per submission: {kind} groups hold the memory ({mb} MB) and the number of "
        "processes ({processes}) of all its processes together; each worker's group counts the "
        "processor time of everything it ran"
    ),
}
ISOLATION_NAMESPACES = (
    "namespaces: new user, mount, pid (everything a worker starts dies with it), network (no "
    "interfaces), IPC (no System V or POSIX objects shared with the host or outliving the worker) "
    "and UTS namespaces"
)
ISOLATION_COVERED = (
    "files: nothing of {covered} is visible, each covered with an empty read-only tmpfs"
)
ISOLATION_TMP = (
    "scratch: {tmp} is a private tmpfs per worker, at most {mb} MB and {inodes} inodes, holding "
    "the worker's scratch folder; nothing a worker writes reaches the host's disk"
)
ISOLATION_KEPT = "Python runtime bound back read-only: {kept}"
ISOLATION_HIDDEN = "answer key still on the runtime's path, hidden under empty tmpfs: {hidden}"
ISOLATION_NO_NAMESPACES = (
    "namespaces: unavailable ({reason}); processes a submission starts may outlive its worker "
    "until they are killed by uid or process group, and files its uid can read are visible to it"
)
ISOLATION_REFUSED = (
    "grading: refused unless the risk is accepted (--accept-weak-isolation): {reason}"
)
ISOLATION_UID_ONLY = (
    "grading: allowed without namespaces, since the answer key's folders are closed to a fresh uid"
)
ISOLATION_UID = "user: a fresh uid per worker, so RLIMIT_NPROC counts only the worker's processes"
ISOLATION_SAME_UID = (
    "user: the grader's own uid (the RLIMIT_NPROC allowance adds the processes it already runs)"
)
ISOLATION_MISSING = (
    "not defended: kernel exploits and namespace escapes, timing and cache side channels, and "
    "world-readable files outside the covered folders (/etc, /usr, /var...)"
)


# ---------------------------------------------------------------------------------------------
# Grading a whole notebook and the command line (grader.api, grader.cli)
# ---------------------------------------------------------------------------------------------
GRADE_NOT_LOADED = "{name} was not graded: {reason}."
GRADE_EXECUTION_NOTE = "While running the whole notebook (--execute): {error}"
GRADER_FAILED = (
    "the autograder failed on this submission (a fault of the grader, not of your work); course "
    "staff can see the details and will regrade it"
)
USAGE_TIMEOUT = "--timeout must be a number of seconds above 0 and at most {most:g}, not {value!r}"
USAGE_MEMORY = "--memory must be a whole number of MB from {least} to {most}, not {value!r}"
CLI_BAD_OPTION = "initgrade grade: {error}"
CLI_CANNOT_WRITE = "initgrade grade: could not write {what} to {path}: {error}"
CLI_INTERNAL = (
    "initgrade: internal error ({error}); this is a bug of the grader, not of the submission. "
    "The traceback follows."
)
CLI_INTERNAL_REPORT = "initgrade: internal error while grading {path}; the traceback follows."
CLI_OUTPUT_FAILED = (
    "initgrade grade: the grader failed to make {what} ({path}); the grade and the other files "
    "stand. The traceback follows."
)
CLI_PLOTS_FAILED = (
    "initgrade grade: the feedback page {path} was written without its plots, which could not be "
    "drawn from this submission's numbers ({error}); the grade stands."
)


# ---------------------------------------------------------------------------------------------
# Dtypes, a diagnosis for every kind of failure, and the grading of the grader
# (grader.checks properties, grader.diagnosis, grader.mutants)
# ---------------------------------------------------------------------------------------------

# -- the dtype check: each array must come back as float64
NOT_FLOAT64 = (
    "For layers_dims={dims}, {key} came back as {dtype}{more}; expected float64, what np.zeros "
    "and np.random.randn give. {hint}"
)
NOT_FLOAT64_MORE = " (and {count} more not float64)"
NOT_FLOAT64_HINT = {
    "int": (
        "Integer arrays (from dtype=int, np.random.randint or .astype(int)) cannot hold the small "
        "weights training needs: draw with np.random.randn and keep numpy's float64."
    ),
    "uint": "Leave out the unsigned dtype: integer arrays cannot hold the weights training needs.",
    "bool": "A comparison gives True/False values; store the numbers themselves.",
    "float": (
        "Leave out dtype=np.float32 and .astype(...): keep numpy's default float64, in which the "
        "expected numbers are computed."
    ),
}

# -- diagnosis: a call that raised, or returned something that is not parameters
DIAG_RAISED = "Your function raises {kind}{text} for layers_dims={dims}{place}; {meaning}"
DIAG_RAISED_TEXT = " ({text})"
DIAG_RAISED_PLACE = " at {where}: `{code}`"
# A NameError for a name that only a top-level line left out of grading assigns.
DIAG_RAISED_NAME_LEFT_OUT = (
    "{name} is assigned only by a top-level line that grading leaves out, {line}: only "
    "imports, definitions and assignments built from constants (with numpy, math and builtins "
    "such as int or round) run when a notebook is graded. Assign {name} a constant, or compute "
    "it inside the function."
)
DIAG_RAISED_MEANING = {
    "randn_tuple": (
        "np.random.randn takes the sizes as separate numbers, np.random.randn(layers_dims[l], "
        "layers_dims[l - 1]); one tuple in parentheses is how np.zeros takes a shape."
    ),
    "zeros_numbers": (
        "np.zeros takes the shape as one tuple, np.zeros((layers_dims[l], layers_dims[l - 1])), "
        "with two pairs of parentheses: given two numbers, it reads the second as a dtype."
    ),
    "key_int": (
        "a key is built from a string and a number: 'W' + l fails, 'W' + str(l) gives 'W1'."
    ),
    "standard_normal": (
        "np.random.standard_normal takes the shape as one tuple, np.random.standard_normal("
        "(rows, columns)), where np.random.randn takes the sizes as separate numbers."
    ),
    "too_many_arguments": "the function called on that line takes fewer arguments than it got.",
    "index": (
        "the line reads layers_dims past its end (its last position is len(layers_dims) - 1): "
        "check the loop's range, range(1, len(layers_dims)), and any l + 1 in an index."
    ),
    "name_layers_dims": (
        "the function reads layers_dims, but its parameter has another name: call the parameter "
        "layers_dims (a variable of that name in another cell is not there when it is graded)."
    ),
    "name": (
        "{name} is not defined when the function runs: grading runs the notebook's imports, "
        "definitions and assignments of constants, not its other top-level lines (the report's "
        "warnings name any such line the function reads)."
    ),
    "unbound": (
        "a variable is used on a line that runs before the line that assigns it: put the "
        "assignment first."
    ),
    "negative": "a shape has a negative size: look at the index arithmetic on that line.",
    "key_error": "the line looks up a key the dictionary does not have (yet).",
    "attribute_builtin": (
        "that value is a plain Python list, tuple, number or dict, which has no such attribute "
        "(a list has no .shape): use len(layers_dims), or make an array with np.array(...) first."
    ),
    "attribute": (
        "that name does not exist there: check its spelling (np.random.randn, np.zeros, np.sqrt)."
    ),
    "zero_division": "a division by zero: a layer size of 0, or the wrong index.",
    "other": "this error stops the function before it returns its parameters; read that line.",
}
DIAG_RETURNED = "For layers_dims={dims}, {problem}"
DIAG_RETURNED_NONE = (
    "your function returns None: end it with `return parameters`, after the loop (one indent "
    "less than the loop's body)."
)
DIAG_RETURNED_TYPE = (
    "your function returns a {kind}, not a dictionary: return the dict parameters, with the "
    "keys 'W1', 'b1', ..., 'WL', 'bL'."
)
DIAG_RETURNED_NUMBER = (
    "{key} is a single number ({kind}), not an array: the call that made it returned one "
    "number. np.random.normal(a, b) draws one number of mean a and standard deviation b; "
    "np.random.randn(layers_dims[l], layers_dims[l - 1]) draws the whole array."
)
DIAG_RETURNED_BIAS_NUMBER = (
    "{key} is a single number ({kind}), not a column vector: each bias is an array, "
    "np.zeros((layers_dims[l], 1))."
)
DIAG_RETURNED_VALUE = (
    "{key} is a {kind}, not a numpy array: build it with np.zeros or np.random.randn."
)
DIAG_RETURNED_OTHER = "{message}."
DIAG_STOPPED = (
    "For layers_dims={dims}, your function never returned: it ran past a limit of time or "
    "memory, or ended the process that runs it (the checks say which). Look for a loop that never "
    "ends, arrays that keep growing, or a call such as exit()."
)
DIAG_REFUSED = "For layers_dims={dims}, {message}."

# -- diagnosis: an empty dictionary
DIAG_EMPTY = (
    "Your function returns an empty dictionary for layers_dims={dims}: `return parameters` runs "
    "before the loop adds anything to it. Return after the loop."
)
# -- diagnosis: arrays of another dtype
DIAG_NOT_FLOAT64 = (
    "Your arrays come back as {dtype}, not float64 ({key} for layers_dims={dims}): {hint}"
)
# -- diagnosis: a submission as a whole (grader.sentences renders them like the others)
DIAG_UNFILLED = (
    "{function} is not filled in: it is still the template's stub. Write your code between "
    "### START CODE HERE ### and ### END CODE HERE ###, replacing each None."
)
DIAG_UNGRADABLE = "Your submission could not be graded: {reason}"
# -- more than one hypothesis, each as simple, rebuilds the numbers: all of them are named
DIAG_OR = " Or, just as likely: {other}"

# ---------------------------------------------------------------------------------------------
# Diagnosis by reproduction: one template per mistake id (grader.diagnosis.reproduce names the
# mistakes of the simplest hypothesis that rebuilds every call; grader.sentences fills these).
# ---------------------------------------------------------------------------------------------

# -- the random stream
SAY_SEED_MISSING = (
    "Your weights change with whatever ran before the call: nothing in the function sets "
    "np.random.seed({exercise_seed}) before the draws. Call np.random.seed({exercise_seed}) once "
    "at the top of the function, before the loop."
)
SAY_SEED_VALUE = (
    "Your numbers are those np.random.seed({seed}) gives; the exercise seeds with "
    "np.random.seed({exercise_seed})."
)
SAY_SEED_PER_LAYER = (
    "Every layer starts again from the first random numbers after np.random.seed({exercise_seed}) "
    "(the seed set again inside the loop, or each layer cut from the start of one draw), so later "
    "layers repeat W1's numbers. Seed once, before the loop, and let each layer take the next "
    "numbers."
)
SAY_SEED_AFTER = (
    "Your W1 comes from whatever state the generator was in, and every later layer starts again "
    "from the first numbers after np.random.seed({exercise_seed}): the seed is set after each "
    "layer's draws. Seed once, before the loop."
)
SAY_GENERATOR = (
    "Your draws come from np.random.default_rng(...), a different generator from the one the "
    "exercise uses: call np.random.seed({exercise_seed}) once, then np.random.randn(...) for each "
    "layer."
)
SAY_UNIFORM = (
    "Your weights are uniform numbers between {low} and {high} (np.random.rand or "
    "np.random.uniform); the exercise draws standard normal numbers with np.random.randn and "
    "multiplies them by {scale}."
)
SAY_DRAWS_TRANSPOSED = (
    "Your weights hold the right random numbers in column order: drawn with the shape "
    "(layers_dims[l - 1], layers_dims[l]) and then transposed; draw "
    "np.random.randn(layers_dims[l], layers_dims[l - 1]) as it is."
)
SAY_DRAWS_REVERSED = (
    "Your layers take their random numbers last layer first; draw them in order, W1 first, in "
    "one loop after a single seed."
)
SAY_EXTRA_BEFORE_LOOP = (
    "Your function draws {count} more random {numbers} after np.random.seed({exercise_seed}) and "
    "before the loop, so every layer's numbers are shifted. After the seed, draw nothing but one "
    "np.random.randn per layer's weights."
)
SAY_EXTRA_IN_LAYER = (
    "Each layer draws {count} more random {numbers} {where} its weights{bias}, so the next "
    "layers' numbers are shifted. Draw nothing but np.random.randn for the weights."
)
SAY_EXTRA_WHERE = {"before_weights": "before", "after_weights": "after"}
SAY_EXTRA_BIAS = (
    " (as many as its biases: drawing the biases with np.random uses up numbers meant for the "
    "weights)"
)
SAY_TRANSFORM = {
    "abs": "Your weights are the absolute values of the draws (none is negative); use the draws "
    "as they are.",
    "square": "Your weights are the squares of the draws (none is negative); use the draws as "
    "they are.",
    "clip": "Your weights are clipped to [-{bound:g}, {bound:g}]{when} (np.clip), which changes "
    "every number beyond it; use the draws as they are.",
    "round": "Your weights are rounded to {bound:g} decimals, which changes every number; keep "
    "them as drawn.",
    "standardise": "Your draws are standardised in each layer (minus their mean, over their "
    "standard deviation) before the scale, which changes every number; use "
    "np.random.randn(...) as it is.",
}
SAY_CLIP_BEFORE = " before the scale"
SAY_SHIFT = (
    "Your draws are moved by {code}: their mean is {code} instead of 0 (an added constant, or a "
    "mean given to np.random.normal); the weights are np.random.randn(...) times the scale alone."
)

# -- the scale
SAY_SCALE = "Your weights are the exercise's random numbers times {code}{name}, where {expects}."
SAY_SCALE_NAMES = {
    "xavier": " (the Xavier scale)",
    "glorot": " (Glorot's scale)",
    "glorot_uniform": " (Glorot's uniform bound)",
    "he_fan_out": " (He's scale with the fan-out)",
    "he": " (He's scale)",
    "random": " (the x10 of initialize_parameters_random)",
}
SAY_SCALE_NONE = (
    "Your weights are the exercise's random numbers, not multiplied by any scale, where {expects}."
)
SAY_SCALE_FLOOR = (
    " (// is integer division: it rounds down to a whole number, 0 whenever the divisor is "
    "larger; divide with /)"
)
# A named formula that is some method's scale but has no words above: the method's title
SAY_SCALE_OF_METHOD = " ({title}'s scale)"
# What the method's record multiplies the draws by (its scale_name, its scale as code)
SAY_EXPECTS = "{name} multiplies by {code}"
SAY_EXPECTS_ZERO = "the weights are zeros"
SAY_EXPECTS_UNKNOWN = "the exercise's scale differs"
SAY_ITS_SCALE = "its scale"
SAY_ADDED = (
    "Your weights are np.random.randn(...) plus {code}: the scale is added, which moves their "
    "mean and leaves their spread at 1. Multiply the draws by it instead."
)

# -- the values of the weights and the biases
SAY_WEIGHTS_CONSTANT = "Every weight is {value:g}{ones}; {expected}."
SAY_WEIGHTS_ONES = " (np.ones)"
SAY_WEIGHTS_ZEROS = "{function} uses np.zeros((layers_dims[l], layers_dims[l - 1]))"
SAY_WEIGHTS_DRAWN_EXPECTED = (
    "the weights are np.random.randn(layers_dims[l], layers_dims[l - 1]) * {code}"
)
SAY_WEIGHTS_DRAWN = (
    "Your zeros function draws random weights (times {code}); every weight must be 0: "
    "np.zeros((layers_dims[l], layers_dims[l - 1]))."
)
SAY_BIASES_VALUE = (
    "Your biases are {value:g}, not zero; they start at np.zeros((layers_dims[l], 1))."
)
SAY_BIASES_DRAWN = (
    "Your biases are drawn at random (times {code}) instead of np.zeros((layers_dims[l], 1)); "
    "drawing them also uses up random numbers meant for the weights."
)

# -- the structure: the loop, the keys, the shapes
SAY_LOOP_START = {
    0: "Your loop starts at l = 0, so it adds a layer 0 whose weights read layers_dims[-1], the "
    "last size; layer 0 is the input and has no parameters. Loop over range(1, len(layers_dims)).",
    2: "Your loop starts at l = 2, so layer 1 (W1, b1) is missing. Loop over "
    "range(1, len(layers_dims)).",
}
SAY_LOOP_START_OTHER = "Your loop starts at l = {start}; loop over range(1, len(layers_dims))."
SAY_LOOP_STOP = (
    "Your loop stops {layers} early, so the last {what} missing. Loop over every layer after the "
    "input: range(1, len(layers_dims))."
)
SAY_LOOP_FIXED_ONE = (
    "Your function returns after the first layer whatever layers_dims is (a return inside the "
    "loop, or a loop over one layer): move `return parameters` after the loop and loop over "
    "range(1, len(layers_dims))."
)
SAY_LOOP_FIXED = (
    "Your function makes {count} layers whatever layers_dims is; take the number of layers from "
    "the list: loop over range(1, len(layers_dims))."
)
SAY_KEY_NAMES = (
    "Your dictionary uses the keys {got}; the exercise and the training code look up {expected} "
    "(capital W, lower-case b, the layer number right after, no separator)."
)
SAY_KEY_NUMBERING = (
    "Your {what} keys are numbered from {first} ({got}); layers are numbered from 1, so they are "
    "{expected}: '{letter}' + str(l) with l from 1."
)
SAY_KEY_BY_SIZE = (
    "Your {what} keys are numbered with {code} instead of the layer number l (so layers of the "
    "same size overwrite each other): use '{letter}' + str(l)."
)
SAY_KEY_SAME = (
    "Every layer stores its {what} under the same key '{key}', so each one overwrites the one "
    "before and only the last layer's is left. Number the key with the layer: '{letter}' + str(l)."
)
SAY_KEY_MISSING = "Your dictionary has no {what}; store each layer's as '{letter}' + str(l)."
SAY_WHAT = {"W": "weight", "b": "bias", "both": "weight and bias"}
SAY_WHAT_PLURAL = {"W": "weights", "b": "biases", "both": "weights and biases"}
SAY_TRANSPOSED = (
    "Your weight matrices are transposed: W has shape (layers_dims[l - 1], layers_dims[l]) where "
    "(layers_dims[l], layers_dims[l - 1]) belongs; the layer's own size comes first."
)
SAY_AXIS = "The {axis} of your weight matrices are {source}{fixed}, where {want} belongs."
SAY_AXIS_FIXED = " in every layer"
SAY_BIAS_SHAPE = (
    "Your biases have shape {shape}; each is a column vector of shape {want}: "
    "np.zeros((layers_dims[l], 1))."
)
SAY_BIAS_NUMBER = (
    "Your biases are single numbers (b = 0), not column vectors; each is "
    "np.zeros((layers_dims[l], 1)), shape {want}."
)
SAY_WEIGHT_SHAPE = "Your weights have shape {shape}; each is a matrix of shape {want}."
SAY_UNFILLED = (
    "Your function still holds the template's None ({key} is None for layers_dims={dims}): "
    "write your code between ### START CODE HERE ### and ### END CODE HERE ###, replacing each "
    "None."
)
SAY_STATE_SHARED = (
    "Your parameters dictionary is made once, outside the function, and kept between calls: each "
    "call also returns the layers earlier calls left (for layers_dims={dims} it has {extra} too). "
    "Create parameters = {{}} inside the function."
)

# -- what differs, when no hypothesis rebuilds the numbers
SAY_FACTS = "No single mistake rebuilds your numbers; what differs: "
# the terminal report: one cause, said once under the checks it cost (grader.reports.text)
REPORT_LIKELY = "Likely mistake: "
REPORT_CAUSE_OF = "Likely mistake, the cause of these {count} failed checks: "
SAY_FACT_KEYS = "for layers_dims={dims}, your dictionary {parts}"
SAY_FACT_KEYS_MISSING = "has no {keys}"
SAY_FACT_KEYS_EXTRA = "has {keys}, which do not belong"
SAY_FACT_SHAPE = "for layers_dims={dims}, {key} has shape {got}; expected {expected}"
SAY_FACT_STATE = (
    "for layers_dims={dims}, {key} is not the same on two calls (made after two different states "
    "of numpy's generator)"
)
SAY_FACT_BIASES = "for layers_dims={dims}, the biases are not zero ({key}[0, 0] = {value:.4g})"
SAY_FACT_WEIGHTS = "for layers_dims={dims}, {count} entries of {key} are not zero"
SAY_FACT_SCALE = (
    "for layers_dims={dims}, {key}'s standard deviation is {got:.3g} where {expected:.3g} is "
    "expected ({ratio:.3g} times)"
)
SAY_FACT_DISTRIBUTION = (
    "for layers_dims={dims}, {key}'s numbers have mean {mean:.3g} and standard deviation "
    "{std:.3g}, from {low:.3g} to {high:.3g}{sign}"
)
SAY_FACT_NONNEGATIVE = ", none of them negative"
SAY_FACT_NOT_FINITE = "for layers_dims={dims}, {key} holds numbers that are not finite (inf or nan)"
SAY_FACT_VALUE = (
    "for layers_dims={dims}, {key}{index} is {got:.6g} where {expected:.6g} is expected"
)
SAY_FACT_JOIN = "; "


# ---------------------------------------------------------------------------------------------
# Grading a whole course: batch, gradebook, export, dashboard, Gradescope bundle (grader.batch)
# These are read by course staff; the student sees a report's error when grading failed.
# ---------------------------------------------------------------------------------------------

# -- the submissions found, named in one line, and every file left out with its reason
LAYOUT_FLAT = "a folder of notebooks (student = file name)"
LAYOUT_NBGRADER = "an nbgrader tree (submitted/<student>/<assignment>/*.ipynb)"
LAYOUT_GRADESCOPE = "a Gradescope export (submission_metadata.yml, one folder per submission)"
LAYOUT_IN_ZIP = "{layout}, in a zip archive"
BATCH_FOUND = "{source}: {layout}; {count} submission(s) from {students} student(s)"
BATCH_SKIPPED = "  skipped {path}: {reason}"
BATCH_PAGE_FAILED = (
    "feedback page of {student}: written without its plots or not at all ({error}); "
    "the grade is stored as it is"
)
SKIP_NOT_NOTEBOOK = "not a notebook (.ipynb)"
SKIP_CHECKPOINT = "a checkpoint copy Jupyter saves on its own, not the submission"
SKIP_SYSTEM_FILE = "operating-system metadata, not a submission"
SKIP_SYMLINK = "a symbolic link; links are not followed"
SKIP_SPECIAL = "not a regular file"
SKIP_UNSAFE_PATH = "its name leaves the archive (an absolute path or ..); not read"
SKIP_ENCRYPTED = "encrypted in the archive; not read"
SKIP_DUPLICATE = "the archive holds this name twice; the first copy is used"
SKIP_LONG_NAME = "its name is longer than a batch reads (shown cut); not read"
SKIP_OUT_OF_LAYOUT = "not where {layout} keeps submissions"
SKIP_OTHER_ASSIGNMENT = "assignment {assignment}, not {chosen}"
SKIP_NOT_IN_METADATA = "its folder is not listed in submission_metadata.yml"
SKIP_USED = "read for the submissions' details"

# -- what stops a batch before it starts (exit 2); each names the file
BATCH_SOURCE_MISSING = (
    "{path} does not exist; give a folder of notebooks, an nbgrader course folder, a Gradescope "
    "export (folder or zip), or a zip of a folder of notebooks or of an nbgrader tree."
)
BATCH_NO_LAYOUT = (
    "{path} holds no submissions initgrade recognises: a folder of .ipynb notebooks, an nbgrader "
    "tree (submitted/<student>/<assignment>/*.ipynb), or a Gradescope export "
    "(submission_metadata.yml and one folder per submission)."
)
BATCH_BAD_ZIP = "{path} is not a zip archive that can be read ({error})."
BATCH_ZIP_TOO_MANY = "{path} has {count} entries, more than the {limit} a batch reads."
BATCH_ZIP_TOO_BIG = (
    "{path} would unpack to {size}, more than the {limit} a batch unpacks; it is refused as a "
    "possible zip bomb."
)
BATCH_BAD_METADATA = (
    "{path} cannot be read as Gradescope's submission metadata ({error}); download the export "
    "again."
)
BATCH_SEVERAL_ASSIGNMENTS = (
    "{path} holds the nbgrader assignments {names}; choose the one to grade with --assignment."
)
BATCH_NO_SUCH_ASSIGNMENT = "{path} has no nbgrader assignment {name!r}; it has {names}."
BATCH_NO_DASK = (
    "--dask needs the dask extra: pip install 'initgrade[dask]' (on this machine and on every "
    "worker). {error}"
)
BATCH_DASK_UNREACHABLE = "no Dask scheduler answered at {address} ({error})."
BATCH_WORKERS = "--workers must be a whole number from 1 to {most}, not {value!r}"
BATCH_TASK_TIMEOUT = "--task-timeout must be a number of seconds from 10 to 86400, not {value!r}"

# -- a submission that cost only itself: the reason stored in the gradebook and its report
TASK_WORKER_DIED = (
    "the grading process stopped while grading this submission (it crashed, was killed, or ran "
    "past the {seconds:g} s a grading may take); the rest of the batch went on"
)
TASK_FAILED = "the grading task failed ({error}); the rest of the batch went on"
TASK_CHANGED = "the file changed while the batch ran; run the batch again to grade it"
TASK_UNREADABLE = "{path} cannot be read ({error})."

# -- progress and the batch's last line
PROGRESS_LINE = "{done}/{total} {done_word}, {failed} failed, {rate:.1f}/s, ETA {eta}"
# what a batch's progress counts: (the bar's label, the word after the count in a plain line)
PROGRESS_PHASES = {
    "grading": ("grading", "graded"),
    "starts": ("outcome starts", "asked for their outcome starts"),
}
BATCH_SUMMARY = (
    "{graded} graded, {kept} already graded (kept), {failed} failed, {ungradable} not gradable; "
    "{seconds:.1f} s, {rate:.1f} submissions/s. Gradebook: {path}"
)
BATCH_FEEDBACK = "Feedback pages: {path}"
BATCH_PAGES_MISSING = (
    "{count} submission(s) already graded have no feedback page in {path}: grading them again "
    "to write their pages (same grades)"
)
BATCH_INTERRUPTED = (
    "initgrade batch: interrupted. Every grade committed so far is in {path}; run the same "
    "command again to grade the rest."
)

# -- the gradebook file (exit 2); it is never overwritten
GRADEBOOK_NOT_SQLITE = (
    "{path} is not an initgrade gradebook (it is not an SQLite database); it was left untouched. "
    "Give a new file name, or the gradebook an earlier batch wrote."
)
GRADEBOOK_FOREIGN = (
    "{path} is an SQLite database of another program (tables: {tables}); it was left untouched. "
    "Give a new file name."
)
GRADEBOOK_NEWER = (
    "{path} was written by a newer initgrade (gradebook schema {found}; this one reads up to "
    "{ours}); upgrade initgrade to use it."
)
GRADEBOOK_DAMAGED = (
    "{path} is damaged ({error}); it was left untouched. Restore it from a copy, or grade into a "
    "new file."
)
GRADEBOOK_NOT_A_FILE = "{path} is not a regular file; --gradebook needs a file."
GRADEBOOK_BUSY = (
    "{path} is in use by another batch ({holder}); wait until it finishes, or give another "
    "--gradebook."
)
GRADEBOOK_HOLDER = "process {pid} on {host}, started {started}"
GRADEBOOK_HOLDER_UNKNOWN = "a process that has not recorded itself yet"
GRADEBOOK_MISSING = (
    "{path} does not exist; grade into it first: initgrade batch SUBMISSIONS --gradebook {path}"
)

# -- export and the staff dashboard
EXPORT_WROTE = "{rows} student(s) written to {path}"
EXPORT_NO_TARGET = "initgrade export: give --csv PATH, --json PATH, or both"
EXPORT_NOT_GRADED = "not graded yet"
REPORT_WROTE = "dashboard of {students} student(s) written to {path}"
REPORT_NO_DIAGNOSIS = "another mistake"
REPORT_WHOLE_SUBMISSION = "(the whole submission)"
REPORT_CANNOT_WRITE = "could not write {what} to {path}: {error}"

# The mistakes the dashboard and the exports count: one short name per mistake id
# (grader.mistakes; the sentences are grader.sentences', from the DIAG_* templates above).
MISTAKE_NAMES = {
    "example.hard_coded": "the notebook's example hard-coded",
    "layout.empty": "an empty dictionary",
    "loop.start": "a loop from the wrong layer",
    "loop.stop": "a loop that stops early",
    "loop.fixed": "a fixed number of layers",
    "keys.names": "wrong key names",
    "keys.numbering": "keys numbered from 0 or 2",
    "keys.by_size": "keys numbered by a layer size",
    "keys.same": "every layer under one key",
    "keys.missing": "weights or biases missing",
    "shape.transposed": "transposed weights",
    "shape.axis": "a shape sized by the wrong number",
    "shape.axes": "weights of the wrong rank",
    "biases.shape": "biases of the wrong shape",
    "biases.value": "biases not zero",
    "biases.drawn": "biases drawn at random",
    "weights.constant": "constant weights",
    "weights.drawn": "random values in the zeros function",
    "seed.missing": "no seed",
    "seed.value": "another seed",
    "seed.per_layer": "each layer restarts the random numbers",
    "seed.after_each_layer": "the seed set after each layer",
    "draws.generator": "np.random.default_rng instead of the global seed",
    "draws.distribution": "uniform draws instead of randn",
    "draws.transposed": "weights drawn transposed",
    "draws.order": "layers drawn out of order",
    "draws.extra": "extra random draws",
    "draws.transform": "draws changed after drawing",
    "draws.shift": "draws moved by a constant",
    "scale.expression": "a wrong scale formula",
    "scale.added": "the scale added, not multiplied",
    "state.shared_dict": "a dictionary kept between calls",
    "dtype.not_float64": "arrays not float64",
    "input.mutated": "layers_dims changed",
    "call.stopped": "a call that never returned",
    "call.refused": "a returned value refused",
    "raised.randn_tuple": "a shape tuple given to randn",
    "raised.zeros_numbers": "two numbers given to np.zeros",
    "raised.key_int": "a number added to a key's letter",
    "raised.standard_normal": "standard_normal given two numbers",
    "raised.too_many_arguments": "too many arguments in a call",
    "raised.index": "an index past the end of layers_dims",
    "raised.name_layers_dims": "a renamed parameter",
    "raised.name": "a name not defined when graded",
    "raised.unbound": "a variable used before it is set",
    "raised.negative": "a negative size",
    "raised.key_error": "a key looked up before it is set",
    "raised.attribute": "a misspelt name",
    "raised.attribute_builtin": "an attribute of a plain list or number",
    "raised.zero_division": "a division by zero",
    "raised.other": "another exception",
    "returned.none": "None returned",
    "returned.type": "no dictionary returned",
    "returned.bias_number": "biases as single numbers",
    "returned.number": "a single number for an array",
    "returned.value": "a value that is not an array",
    "returned.other": "a returned value refused",
    "submission.unfilled": "not filled in",
    "submission.ungradable": "not gradable",
    "fact.keys": "keys that differ",
    "fact.shape": "a shape that differs",
    "fact.changes_with_state": "numbers that change from run to run",
    "fact.biases_nonzero": "biases not zero",
    "fact.weights_nonzero": "weights not zero",
    "fact.scale": "a scale no formula explains",
    "fact.distribution": "numbers unlike randn's",
    "fact.value_differs": "values unlike any mistake rebuilt",
}
MISTAKE_NAME_OTHER_SCALE = "another wrong scale"  # scale.<name> of a method's own wrong scales

# -- the Gradescope autograder (run_autograder in the bundle)
AUTOGRADER_NO_NOTEBOOK = (
    "No notebook (.ipynb file) was found in your submission{found}. Upload the notebook you "
    "worked in (File > Download in Jupyter), not a script, PDF or zip."
)
AUTOGRADER_FOUND = " (it holds: {names})"
AUTOGRADER_SEVERAL = (
    "Your submission holds {count} notebooks ({names}), so it is not clear which one to grade. "
    "Submit only {expected}, or a single notebook."
)
BUNDLE_WROTE = "Gradescope autograder written to {path} ({size}); upload it as the autograder zip."
BUNDLE_NO_SOURCE = (
    "the bundle ships initgrade's source tree, and {root} is not one (no pyproject.toml and "
    "assignments/ beside grader/); build it from a checkout installed with pip install -e ."
)

# ---------------------------------------------------------------------------------------------
# A batch that trains its outcomes first (initgrade batch --train-first); read by course staff.
# ---------------------------------------------------------------------------------------------

BATCH_TRAINED = (
    "Outcomes trained first: {starts} start(s) from the submissions, {distinct} distinct, "
    "{trained} trained together in {seconds:.1f} s (the rest were in the cache)."
)

# The rendered notebook beside a feedback page (grader.reports.notebook): its failure is its own.
NOTEBOOK_PAGE_FAILED = (
    "initgrade: the notebook page {path} could not show the notebook ({reason}); it says so, and "
    "the grade and the other reports do not depend on it."
)
NOTEBOOK_PAGE_CHANGED = "the file changed after it was graded"
NOTEBOOK_PAGE_TOO_BIG = "the file is larger than the {most} MB a notebook may have"
# -- the submission that counts, adjustments, late policy, LMS exports (grader.batch)
COUNTS_RULE = "--counts must be one of {rules}, not {rule!r}"
COUNTS_PICK = (
    "--pick {student}={sha}: that student's submissions are {shas}; give the start of exactly one"
)
COUNTS_NO_STUDENT = "--pick names {student!r}, who has no submission in this gradebook"
COUNTS_PICK_FORM = "--pick takes STUDENT=SHA256 (the start of the digest is enough), not {text!r}"
ADJUST_USAGE = "initgrade adjust: give STUDENT POINTS --comment TEXT, or --list, or --withdraw N"
ADJUST_BAD_POINTS = "POINTS must be a number other than 0, not {points}"
ADJUST_NO_COMMENT = "--comment must say why the grade is adjusted"
ADJUST_NO_FUNCTION = "--function {function!r} is not a graded function; the graded ones are {names}"
ADJUST_NO_STUDENT = "{student!r} has no submission in this gradebook.{hint}"
ADJUST_CLOSE = " Did you mean {names}?"
ADJUST_NO_ASSIGNMENT = "{student!r} has no submission of {name!r}; theirs: {names}"
ADJUST_WHICH_ASSIGNMENT = "{student!r} has submissions of {names}; say which with --assignment"
ADJUST_NO_SUCH = "there is no standing adjustment number {number} (see initgrade adjust --list)"
ADJUST_LINE = (
    "#{number}: {points:+g} points for {student} ({assignment}{where}): {comment} (by {who}, {at})"
)
ADJUST_WITHDRAWN = "; withdrawn by {who}, {at}"
ADJUST_WITHDREW = "adjustment #{number} withdrawn (it stays on record; see --list)"
LATE_BAD_TIME = "{where}: {text!r} is not a time (ISO 8601, such as 2026-12-04T23:59+01:00)"
LATE_BAD_UNIT = "--late-per must be day or hour, not {per!r}"
LATE_BAD_PERCENT = "{option} must be a percentage from 0 to 100, not {value:g}"
LATE_BAD_GRACE = "--grace must be a number of minutes of at least 0, not {value:g}"
LATE_BAD_EXTENSIONS = "the extensions file {path} cannot be used: {error}"
LATE_EXTENSION_ROW = "line {line} needs a student and a deadline (columns: student, deadline)"
LATE_NEEDS_DEADLINE = "{option} needs --deadline"
LATE_TIMES_COPIED = (
    "WARNING: the late policy may be charging students for when their files were copied: {why}. "
    "A folder of notebooks takes each file's modification time as the time it was received, "
    "and copying or unzipping a download sets it to now. Give real times: grade the LMS's zip "
    "itself (its entries keep their times) or copy with `cp -p`, set each file's time with "
    "`touch -d`, or use an nbgrader tree (timestamp.txt) or a Gradescope export; then run the "
    "batch again (nothing is regraded) and this export."
)
LATE_TIMES_CLOSE = "the {count} received times all lie within {seconds:g} s of each other"
LATE_TIMES_MOSTLY_LATE = "{late} of {count} students are late"
EXPORT_CAPPED = (
    "{student}: the adjustments take the total to {total:g}, over the maximum {max_score:g}; "
    "the total is capped at {max_score:g} (see initgrade adjust --list)"
)
ROSTER_UNREADABLE = "the roster {path} cannot be read as CSV: {error}"
ROSTER_NO_KEY = (
    "the roster {path} has no column {key!r} holding the course's student ids (its columns: "
    "{columns}); name it with --roster-key"
)
ROSTER_NO_IDENTITY = (
    "the roster {path} has none of the columns {lms} identifies students by ({wanted}); its "
    "columns: {columns}"
)
EXPORT_NEEDS_ROSTER = "--format {format} needs --roster CSV (the course's ids and the LMS's)"
EXPORT_NOT_IN_ROSTER = (
    "{count} graded student(s) are not in the roster and were left out: {students}"
)
EXPORT_BUNDLE = "{count} feedback page(s) written to {path}, one folder per student"
EXPORT_BUNDLE_NEEDS = "--bundle DIR needs --feedback-dir (the batch's pages) and --roster"
FEEDBACK_NOTES_TITLE = "Changes after grading"
FEEDBACK_NOTES_TOTAL = "Your total:"
FEEDBACK_LATE = "late by {late_by}: -{points:g} points (late policy)"
BATCH_SKIPPED_MANY = "  skipped {count} files named {name}: {reason} (the gradebook lists each)"
BATCH_ONE_STUDENT = "regrading {count} submission(s) of {student} only"
BATCH_NO_SUCH_STUDENT = "{source} holds no submission of {student!r}.{hint}"
BATCH_DASK_WAITING = (
    "waiting up to {seconds:g} s for a Dask worker to join {address} (start one with: "
    "dask worker {address} --nthreads 1)"
)
BATCH_DASK_NO_WORKERS = (
    "no Dask worker joined {address} within {seconds:g} s; start workers with "
    "`dask worker {address} --nthreads 1` and run the same command again"
)
BATCH_DASK_STILL_WAITING = (
    "still waiting on the Dask cluster: {running} grading(s) in flight, {workers} worker(s)"
)
TASK_TIMED_OUT = (
    "the grading took longer than the {seconds:g} s a grading may take (--task-timeout) and was "
    "given up; the rest of the batch went on"
)
UNFILLED_CHECK = "not graded: {name} is not filled in (see the likely mistake below)"
