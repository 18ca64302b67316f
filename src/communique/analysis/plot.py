"""Trend charts for ``communique trend --plot out.svg|png`` (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

from communique.analysis.stats import Trend


def plot_trend(trend: Trend, path: str | Path) -> Path:
    """Draw ``trend`` (one line a series, dashed moving averages) to ``path`` (.svg or .png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise ValueError(f"--plot writes .svg or .png, not {path.suffix or 'no extension'}")
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    x = list(range(len(trend.periods)))
    for s in trend.series:
        y = s.per_10k if trend.per_10k else s.hits
        (line,) = ax.plot(x, y, marker="o", markersize=3, linewidth=1.2, label=s.name)
        if s.avg is not None:
            ax.plot(x, s.avg, linestyle="--", linewidth=1, color=line.get_color(),
                    label=f"{s.name} ({trend.window}-period average)")  # fmt: skip
    step = max(1, len(x) // 20)
    ax.set_xticks(x[::step], trend.periods[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("hits per 10,000 words" if trend.per_10k else "matching turns")
    ax.set_title(f"{trend.query or 'all'}: by {trend.by}")
    ax.grid(alpha=0.3)
    if len(trend.series) > 1 or trend.window > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lower()[1:])
    plt.close(fig)
    return path
