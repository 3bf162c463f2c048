"""Multicore Python: the code that the book's child processes import."""
