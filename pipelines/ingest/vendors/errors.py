"""The one error a vendor reader raises: the file cannot be read as any known report."""

from __future__ import annotations


class ReportError(Exception):
    """A whole file could not be read; the message names the file and the reason.

    Reasons: empty_file, undecodable, malformed_csv, unrecognized_report, missing_column.
    """

    def __init__(self, file_name: str, reason: str, message: str) -> None:
        super().__init__(f"{file_name}: {message}")
        self.file_name = file_name
        self.reason = reason
