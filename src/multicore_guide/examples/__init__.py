"""Small scripts that the book runs in a fresh interpreter, as real files.

Some lessons only show in a program of their own: what a spawn child does
with a main module that has no ``if __name__ == "__main__":`` guard, what
happens to children when the parent exits, or which warnings a fresh
interpreter prints. :func:`multicore_guide.scripts.run_example` runs them.
"""
