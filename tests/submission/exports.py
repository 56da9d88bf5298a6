"""Building class exports for the tests: a folder zipped as an LMS would."""
import zipfile


def zipped(folder, archive):
    """``folder``'s files in the zip ``archive``, named relative to ``folder``; returns ``archive``."""
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, file.relative_to(folder).as_posix())
    return archive
