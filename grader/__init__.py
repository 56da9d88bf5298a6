"""cnngrade's grader: notebook → submission → sandboxed run → checks → score → reports."""
