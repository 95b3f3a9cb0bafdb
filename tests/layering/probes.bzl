"""layering_probes: the targets tests/layering/check_layering.sh builds.

Each probe is a cc_library declaring exactly one dependency, tagged manual so
wildcards (`bazel build //...`, `bazel test //...`) never build it; only the
check names them, and expects a visibility error or success.
"""

def layering_probes(probes):
    """One manual cc_library per entry of `probes` (name -> dependency)."""
    for name, dep in probes.items():
        native.cc_library(
            name = name,
            tags = ["manual"],
            deps = [dep],
        )
