"""Chapter 2, Why multicore: an interactive explorer of Amdahl's law.

The explorer works as a widget in Jupyter and as a static figure in the
built book.
"""

from __future__ import annotations

from .checks import check_int, check_real

__all__ = [
    "amdahl_explorer",
]


def amdahl_explorer(
    parallel_fraction: float = 0.9,
    cores: int = 8,
    max_workers: int = 128,
    *,
    fixed_cost: float = 0.0,
):
    """Return an ipywidgets box with sliders for Amdahl's law and a fixed cost.

    The sliders set the parallel fraction ``p``, the core count ``n`` and a
    fixed cost ``c`` of running in parallel at all, as a fraction of the
    serial run time. Moving one redraws Amdahl's curve,
    ``S = 1 / ((1 - p) + p / n)``, and marks the speedup at the chosen core
    count. When ``c > 0`` it also draws and marks the speedup with the cost,
    ``S = 1 / ((1 - p) + p / n + c)``, which is below 1 on one core. The
    figure is drawn once straight away, so a saved notebook holds a picture
    even where widgets cannot run.

    Raises:
        TypeError, ValueError: an argument is not a number in range
            (``0 <= parallel_fraction <= 1``, ``1 <= cores <= max_workers``,
            ``0 <= fixed_cost <= 1``).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    parallel_fraction = check_real(
        "parallel_fraction", parallel_fraction, minimum=0.0, maximum=1.0
    )
    max_workers = check_int("max_workers", max_workers, minimum=2)
    cores = check_int("cores", cores, minimum=1)
    if cores > max_workers:
        raise ValueError(
            f"cores must be <= max_workers ({max_workers}), got {cores}"
        )
    fixed_cost = check_real("fixed_cost", fixed_cost, minimum=0.0, maximum=1.0)

    fraction_slider = widgets.FloatSlider(
        value=parallel_fraction,
        min=0.0,
        max=1.0,
        step=0.01,
        description="parallel p",
        readout_format=".2f",
    )
    cores_slider = widgets.IntSlider(
        value=cores, min=1, max=max_workers, description="cores n"
    )
    cost_slider = widgets.FloatSlider(
        value=fixed_cost,
        min=0.0,
        max=1.0,
        step=0.01,
        description="fixed cost c",
        readout_format=".2f",
    )

    def draw(p: float, n: int, c: float) -> None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
        _draw(ax, p, n, c, max_workers)
        plt.show()

    output = widgets.interactive_output(
        draw, {"p": fraction_slider, "n": cores_slider, "c": cost_slider}
    )
    return widgets.VBox(
        [widgets.HBox([fraction_slider, cores_slider, cost_slider]), output]
    )


def _draw(ax, p: float, n: int, c: float, max_workers: int):
    """Draw Amdahl's curve for ``p`` on ``ax``, and the curve with the fixed cost ``c`` when ``c > 0``."""
    import numpy as np

    from .plotting import PURPLE, plot_amdahl_curves

    plot_amdahl_curves([p], max_workers=max_workers, highlight=(p, n), ax=ax)
    if c > 0:
        grid = np.unique(np.geomspace(1, max_workers, 200).round().astype(int))
        # purple: a model, as the Amdahl fit is in plot_speedup
        model = 1.0 / ((1.0 - p) + p / grid + c)
        ax.plot(
            grid,
            model,
            color=PURPLE,
            label=f"p = {p:g} with fixed cost c = {c:g}",
        )
        s = 1.0 / ((1.0 - p) + p / n + c)
        ax.plot([n], [s], "o", color=PURPLE, zorder=5)
        # in the curve's colour, below the label of Amdahl's point
        ax.annotate(
            f"{s:.2f}× with the cost",
            (n, s),
            textcoords="offset points",
            xytext=(6, -18),
            color=PURPLE,
        )
        ax.set_ylim(bottom=min(ax.get_ylim()[0], 0.5))
        ax.legend(loc="upper left")
    return ax
