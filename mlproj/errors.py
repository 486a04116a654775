"""Every error mlproj raises on purpose, under one root.

The CLI translates a `UserError` into its one-line message and exit code in one place;
anything else escaping the library is a bug and keeps its traceback.
"""

from __future__ import annotations


class MlprojError(Exception):
    """Root of every error mlproj raises on purpose."""


class UserError(MlprojError):
    """An error caused by input the user can fix; its message is safe to show as is."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class InvalidName(UserError):
    """Raised when a project name cannot become a safe folder and Python package name."""

    exit_code = 2


class DestinationExists(UserError):
    """Raised when the project folder exists and is not empty; it is left untouched."""

    exit_code = 3


class DataError(UserError):
    """Raised when a data file is missing, unreadable, empty or unusable for the task."""

    exit_code = 4


class ContractViolation(DataError):
    """Raised when data breaks the project's data contract; the message lists each break."""


class ConfigError(UserError):
    """Raised when the Hydra configuration cannot be composed or `params.yaml` disagrees with it."""

    exit_code = 5


class ParamsOutOfSync(ConfigError):
    """Raised when `params.yaml` holds values that `conf/` does not compose to."""


class NotAProject(UserError):
    """Raised when a command that needs a generated project runs outside one."""

    exit_code = 6


class CommandFailed(UserError):
    """Raised when an external command (git, dvc) fails; carries its stderr."""

    exit_code = 7


class UntrustedModel(UserError):
    """Raised when a saved model holds types outside the explicit trusted list."""

    exit_code = 8


class InvalidIncident(UserError):
    """Raised when an incident's id, file, expectation or options cannot be accepted as given."""

    exit_code = 9


class IncidentExists(UserError):
    """Raised when an incident id is already recorded and `--force` was not given; it is kept."""

    exit_code = 10


class RegressionFailed(UserError):
    """Raised when the current model fails a `fixed` incident: a failure that had gone came back."""

    exit_code = 11


class IncidentStillFails(UserError):
    """Raised when an incident is to be marked fixed but the current model still fails it."""

    exit_code = 12


class FlowRefused(UserError):
    """Raised when a Gitflow step would break the repository's rules; nothing was changed."""

    exit_code = 13


class ChecklistIncomplete(UserError):
    """Raised when a pull request's description leaves a required review item unchecked."""

    exit_code = 14


class InvalidFlowName(UserError):
    """Raised when a branch name or release version does not follow Gitflow and semver."""

    exit_code = 15


class DriftDetected(UserError):
    """Raised when a production batch drifts from the reference beyond the declared thresholds.

    A column or the predictions shifted, or more of the batch's rows than allowed break the
    data contract. It is a verdict on the data, so it is raised only after the report has
    been written and shown; its own exit code lets a scheduled check tell drift from a crash.
    """

    exit_code = 17


class RegistryError(UserError):
    """Raised when a model version or stage cannot be registered, assigned, rolled back or got."""

    exit_code = 16


class GateFailed(UserError):
    """Raised when the evaluated model misses a quality gate; the message names each one missed."""

    exit_code = 18


class InvalidGates(UserError):
    """Raised when declared gates cannot be judged: a misspelt metric, a wrong type, no slices.

    It covers `gates` and `inclusion` in params.yaml and the files they read (metrics.json,
    `reports/slices.json`): a mistake there must stop the stage, never pass as a skipped gate.
    """

    exit_code = 19


class NotReproducible(UserError):
    """Raised when retraining a commit gives other metrics, predictions or output hashes."""

    exit_code = 20


class CannotReproduce(UserError):
    """Raised when a revision cannot be retrained here: unknown, no dvc.lock, or data missing."""

    exit_code = 21


class CardInputError(UserError):
    """Raised when a pipeline output the model card is built from is missing or malformed.

    metrics.json and the data contract are required; the slices, gates, explanations and
    incident reports are optional (their absence is a line in the card), but one that exists
    and cannot be read stops the card rather than being left out without a word.
    """

    exit_code = 22


class InvalidCardNotes(UserError):
    """Raised when `model-card.yaml` (the card's human part) has an unknown field or wrong type."""

    exit_code = 23


class CannotWrite(UserError):
    """Raised when an output's folder cannot be made or written to; nothing is left behind."""

    exit_code = 24


class RenderedInvalid(UserError):
    """Raised when a rendered template file does not parse as its language: a template bug.

    `mlproj new` checks every generated Python, YAML and TOML file before it initialises and
    commits anything, so an answer the template failed to escape cannot yield a broken project.
    """

    exit_code = 25


class UpdateRefused(UserError):
    """Raised when `mlproj update` cannot start; nothing was changed.

    A dirty tree, no `develop` branch, an update branch left from before, no commit in the
    history that `mlproj new` or `mlproj update` made, or an answer the template cannot use.
    """

    exit_code = 26


class UpdateConflicts(UserError):
    """Raised after `mlproj update` has merged and reported, when files are left in conflict.

    The update branch holds an unfinished merge (conflict markers, an unmerged index) that
    `git status` lists: resolve and commit it, or give up with `git merge --abort`.
    """

    exit_code = 27


class InvalidYaml(UserError):
    """Raised when a YAML file cannot be read safely: not UTF-8 or YAML, too big, tags, alias bombs.

    Too big means past 4 MB; tags are Python or unknown ones (`!!python/object`); a bomb is
    aliases that expand past the bound (a "billion laughs"). One class for every YAML input
    (incidents, the review checklist, params.yaml, dvc.lock, model-card.yaml, the data
    contract, the answers file, .gto), raised by `_core.yamlio`; its message names the file
    and never shows the value.
    """

    exit_code = 28


class FirstRunInterrupted(UserError):
    """Raised when Ctrl-C stops `mlproj new`'s first `dvc repro`: the project is kept, untrained.

    The first run is optional (`--no-run` skips it), so a Ctrl-C during it stops the pipeline
    and keeps everything else: the project is created and committed, with whatever stages had
    finished, and `dvc repro` in it goes on from there. A second Ctrl-C leaves nothing. The exit
    code is the shell's for an interrupt.
    """

    exit_code = 130


class OutputExists(UserError):
    """Raised when an output file a command would write exists and `--force` was not given.

    `mlproj predict` refuses before reading any row, and leaves the file untouched.
    """

    exit_code = 29


class FeatureNotInContract(UserError):
    """Raised when conf/data lists a feature that data/contract.yaml has no rule for.

    The validate stage refuses before reading any row: a feature the contract does not check
    would reach the model unchecked. Its message names the columns and the command that adds
    their rules (`mlproj contract add`).
    """

    exit_code = 30


class ForbiddenFeature(UserError):
    """Raised when a feature is forbidden: in conf/data `forbidden`, or a sensitive column.

    A column of conf/inclusion `sensitive` may be a feature only when it is also listed in
    `inclusion.allow_as_feature`; the validate stage refuses before reading any row, naming
    the column and where it is forbidden.
    """

    exit_code = 31


class ScoreBelowMinimum(UserError):
    """Raised by `mlproj score --min N` when the project's ML Test Score is below N.

    The score is the lowest of the four section sums (data, model, infrastructure,
    monitoring); the message names the sections below the minimum. The scorecard is printed
    first, so a CI log shows which tests lack evidence.
    """

    exit_code = 35


class FirstRunGateFailed(GateFailed):
    """Raised when `mlproj new`'s first `dvc repro` stops at a quality gate: the project is kept.

    The gates are on by default, so a table where the default model loses to the simple one
    stops the first run at the `gates` stage. Nothing is lost: the project is created and
    committed as far as the pipeline ran (trained and evaluated, `reports/gates.json` written),
    and the message names each gate missed, its threshold and value, and what to change. The
    exit code is `GateFailed`'s, as `dvc repro` in the project would give.
    """

    def __init__(self, message: str, failed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.failed = failed


class InvalidSweep(UserError):
    """Raised when `mlproj sweep` cannot read the declared sweep in conf/sweep/default.yaml.

    The file is missing, is not a `sweep:` mapping of parameters to non-empty lists of plain
    values, declares more points than a sweep may queue, names a parameter params.yaml does not
    have (a new key is written `+key`, as with `dvc exp run -S`), a config choice with no file
    in conf/, or a ranking metric metrics.json does not have. Nothing is queued.
    """

    exit_code = 33


class SweepRefused(UserError):
    """Raised when `mlproj sweep` will not queue experiments in the workspace as it stands.

    Queued experiments run the last commit, so uncommitted changes would silently be left out
    of every point: commit or stash them first. Experiments already waiting or running in
    DVC's queue would be run and mixed into the table: let them finish or `dvc queue remove`
    them. Nothing is queued.
    """

    exit_code = 34


class CannotServe(UserError):
    """Raised when `mlproj serve` cannot start: nothing is listening yet when it is raised.

    The stage holds no version (assign one with `mlproj registry assign`, or serve the workspace
    model with `--model`), the version is not registered, the port is in use, a data contract
    column starts with `_` (the prediction log keeps those names for its own fields), the
    canary's share is outside (0, 1], or `--shadow` and `--canary` were given together.
    """

    exit_code = 36


class SmokeFailed(UserError):
    """Raised by `mlproj smoke` when a running service fails a post-deployment check.

    The service did not answer `/health` in time, or answered something it should not: a wrong
    version, a shape the HTTP API does not have, a class the contract does not allow, a contract
    break it accepted, a fixed incident it fails again, a latency over the `serve.latency`
    budget. The message names each failed check in one line.
    """

    exit_code = 37


class VersionsDisagree(UserError):
    """Raised by `mlproj compare-versions` when the shadow or canary version fails a gate.

    The gates are `serve.shadow` in params.yaml: agreement with the primary, the metric drop on
    labelled rows, the p95 latency ratio. The report is written first; the message names each
    gate missed, its threshold and value.
    """

    exit_code = 38


class NotEnoughEvidence(UserError):
    """Raised by `mlproj compare-versions` when the log holds too few rows for a verdict.

    Fewer compared rows than `serve.shadow.min_rows` (or no shadow or canary rows at all in
    the window): no verdict is given either way. The report is written first.
    """

    exit_code = 39


class MonitorAlert(UserError):
    """Raised when `mlproj monitor` finds a check past its limit over the prediction log's window.

    Traffic below `monitor.min_requests`, too many requests refused by the data contract, NaN or
    infinite inputs, missing values or input drift beyond the thresholds, predictions drifting
    from the model's on the test split, quality on labelled rows dropped more than
    `max_quality_drop` below the release's metrics, a model older than `max_age_days`, latency
    p95 above `serve.latency.p95_ms`, or logged predictions the model does not reproduce
    offline (train/serve skew). The message names each alert and the report; the report files
    are written first. Exit 1, as a scheduled job expects of a failed check.
    """

    exit_code = 1


class ComputeUnavailable(UserError):
    """Raised when `compute=dask` names a scheduler that cannot be reached or has no workers."""

    exit_code = 43


class ComputeFailed(UserError):
    """Raised when the Dask cluster loses a stage's work (a worker died on every retry)."""

    exit_code = 44


class InvalidRemote(ConfigError):
    """Raised when a DVC remote cannot be configured or used as asked; nothing is written.

    Its URL, endpoint or name is not acceptable, no remote is configured, or a credential would
    land in a file git tracks (`.dvc/config`, or a `.dvc/config.local` git does not ignore).
    """


class RemoteUnreachable(UserError):
    """Raised when the DVC remote's server does not answer (down, wrong endpoint, not S3, hung).

    The message names the remote (its name, URL and endpoint) and says to start the server or
    fix the endpoint.
    """

    exit_code = 40


class RemoteCredentialsRejected(UserError):
    """Raised when the DVC remote's server refuses the credentials, or none are set.

    The message names the remote and where credentials go: the environment
    (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or `.dvc/config.local`.
    """

    exit_code = 41


class RemoteBucketMissing(UserError):
    """Raised when the DVC remote's bucket does not exist on its server."""

    exit_code = 42
