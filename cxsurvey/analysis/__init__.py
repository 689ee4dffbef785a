"""Pure statistical functions: DataFrames in, DataFrames or frozen dataclasses out.

Nothing in this package reads files, prints or exits.
"""
