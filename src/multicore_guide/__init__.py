"""Multicore Python: the code that the book's child processes import.

Functions that a child process runs must be importable by name, so they live
here rather than in the notebooks. The shared core serves every chapter;
each chapter's own code has its own modules.

Shared core:

================  ==========================================================
module            what it holds
================  ==========================================================
``workers``       the CPU-bound and waiting tasks the chapters run
``contexts``      explicit multiprocessing contexts (never the default)
``machine``       the CPUs this process may use, and a one-line description
``timing``        ``Timing``, ``measure``, ``measure_rounds``, ``timer``
``scaling``       serial against pooled runs, speedups, Amdahl's law
``overhead``      maps through each API, Pool's default chunksize
``plotting``      every figure, in one house style
``report``        ``say()`` sentences and ``table()`` results
``scripts``       example programs run in a fresh interpreter (``examples/``)
``_checks``       argument checks
================  ==========================================================

Chapters:

=======================  ===================================================
chapter                  modules
=======================  ===================================================
1 What is multicore      (shared core only)
2 Why multicore          ``explorers``
3 Processes by hand      ``processes``
4 Start methods          ``startmethods``
5 Pools                  ``pools``
6 concurrent.futures     ``tasks``
7 Choosing an API        ``apis``
8 Communicating          ``ipc``
9 Use cases              ``batch``, ``fractals``, ``speedups``
10 Overhead              ``costs``, ``blas``
11 Sharing data          ``shared``
12 When things go wrong  ``failures``, ``graceful``
13 Beyond one machine    ``runtimes``, ``distributed``, ``bigarrays``
14 asyncio               ``asyncio_work``
15 The CPUs you have     ``cpus``
16 Watching a run        ``timeline``
17 Coordinating          ``coordination``
18 Read-only data        ``readonly``
19 One core first        ``one_core``
``make bench``           ``bench``
=======================  ===================================================
"""
