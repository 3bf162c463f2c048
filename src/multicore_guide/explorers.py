"""Interactive explorers for Jupyter; each one also works as a static figure."""

from __future__ import annotations

from ._checks import check_int, check_real

__all__ = ["amdahl_explorer"]


def amdahl_explorer(parallel_fraction: float = 0.9, cores: int = 8, max_workers: int = 128):
    """Return an ipywidgets box with sliders for Amdahl's parallel fraction and core count.

    Moving a slider redraws the curve for the chosen fraction and marks the
    speedup at the chosen core count. The figure is drawn once straight
    away, so a saved notebook holds a picture even where widgets cannot run.

    Raises:
        TypeError, ValueError: an argument is not a number in range
            (``0 <= parallel_fraction <= 1``, ``1 <= cores <= max_workers``).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from .plotting import plot_amdahl_curves

    parallel_fraction = check_real("parallel_fraction", parallel_fraction, minimum=0.0, maximum=1.0)
    max_workers = check_int("max_workers", max_workers, minimum=2)
    cores = check_int("cores", cores, minimum=1)
    if cores > max_workers:
        raise ValueError(f"cores must be <= max_workers ({max_workers}), got {cores}")

    fraction_slider = widgets.FloatSlider(
        value=parallel_fraction, min=0.0, max=1.0, step=0.01, description="parallel p", readout_format=".2f"
    )
    cores_slider = widgets.IntSlider(value=cores, min=1, max=max_workers, description="cores n")

    def draw(p: float, n: int) -> None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
        plot_amdahl_curves([p], max_workers=max_workers, highlight=(p, n), ax=ax)
        plt.show()

    output = widgets.interactive_output(draw, {"p": fraction_slider, "n": cores_slider})
    return widgets.VBox([widgets.HBox([fraction_slider, cores_slider]), output])
