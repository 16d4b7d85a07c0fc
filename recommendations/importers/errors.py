"""The importers' one exception."""


class ImportRefused(Exception):
    """The file cannot be imported; the message says where (file, row, column) and why. Nothing
    was written."""
