"""Step 3 of grading: run a submission's code in an isolated worker and call its functions.

``Worker`` is the sandboxed program (one process per submission, reused for its calls);
``execute_notebook`` runs a whole notebook in a sandboxed Jupyter kernel (``--execute``);
``isolation_report`` says which defenses this machine allows. ``local_caller`` and
``local_program`` call plain functions in this process under the same contract, for tests.
``child/`` holds what runs inside the worker.
"""

from grader.sandbox._client import MAX_RESTARTS, Worker
from grader.sandbox._isolation import isolation_report
from grader.sandbox._kernel import execute_notebook
from grader.sandbox._local import LocalProgram, caller_program, local_caller, local_program

__all__ = [
    "MAX_RESTARTS",
    "LocalProgram",
    "Worker",
    "caller_program",
    "execute_notebook",
    "isolation_report",
    "local_caller",
    "local_program",
]
