"""Multicore Python: the code that the book's child processes import.

Functions that a child process runs must be importable by name, so they live
here rather than in the notebooks. A small shared core serves every chapter;
code that belongs to one chapter lives in a module named after that
chapter's notebook (``book/05_pools.ipynb`` uses ``pools``), and a test file
named after each module (``tests/test_pools.py``) tests it.

Shared core:

================  ==========================================================
module            what it holds
================  ==========================================================
``checks``        argument checks shared by every public function
``timing``        ``Timing``, ``measure``, ``measure_rounds``, ``timer``
``machine``       the CPUs this process may use; ``get_context`` (never the
                  default start method); ``start_all`` and ``join_all``
``workers``       the CPU-bound and waiting tasks the chapters run
``measuring``     serial against parallel maps, batch starts, speedup,
                  efficiency and Amdahl's law
``timeline``      the task timeline and per-core CPU use of a run
``plotting``      every figure, in one house style
``report``        ``say()`` sentences and ``table()`` results
``scripts``       example programs run in a fresh interpreter (``examples/``)
``bench``         ``make bench``: the headline claims, measured in one run
================  ==========================================================

Chapters (chapter 1 uses the shared core only; chapter 16 is ``timeline``):

=======================  ===================================================
chapter                  module
=======================  ===================================================
2 Why multicore          ``why_multicore``
3 Processes by hand      ``processes``
4 Start methods          ``start_methods``
5 Pools                  ``pools``
6 concurrent.futures     ``futures``
7 Choosing an API        ``choosing``
8 Communicating          ``ipc``
9 Use cases              ``use_cases``
10 Overhead              ``overhead``
11 Sharing data          ``shared_memory``
12 When things go wrong  ``failures`` (also ``python -m multicore_guide.failures``)
13 Beyond one machine    ``beyond``
14 asyncio               ``asyncio_work`` (not ``asyncio``, which it would shadow)
15 The CPUs you have     ``cpus``
17 Coordinating          ``coordination``
18 Read-only data        ``readonly``
19 One core first        ``one_core_first``
=======================  ===================================================
"""
