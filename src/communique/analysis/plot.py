"""Trend charts for ``communique trend --plot out.svg|png`` (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

from communique.analysis.stats import Trend


def plot_trend(trend: Trend, path: str | Path) -> Path:
    """Draw ``trend`` (one line a series, dashed moving averages; gaps where a period has no
    documents, small samples hollow grey) to ``path`` (.svg or .png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise ValueError(f"--plot writes .svg or .png, not {path.suffix or 'no extension'}")
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    x = list(range(len(trend.periods)))
    nan = float("nan")
    for s in trend.series:
        # a period without documents is a gap (NaN breaks the line), not 0
        y = [nan if v is None else v for v in s.per_10k] if trend.per_10k else \
            [float(h) if w else nan for h, w in zip(s.hits, s.words, strict=True)]  # fmt: skip
        (line,) = ax.plot(x, y, marker="o", markersize=3, linewidth=1.2, label=s.name)
        small = [v if s.small[i] else nan for i, v in enumerate(y)]
        ax.plot(
            x,
            small,
            linestyle="none",
            marker="o",
            markersize=4,
            color="#9aa0a6",
            markerfacecolor="white",
        )  # small samples greyed out
        if s.avg is not None:
            ax.plot(
                x,
                [nan if v is None else v for v in s.avg],
                linestyle="--",
                linewidth=1,
                color=line.get_color(),
                label=f"{s.name} ({trend.window}-period average)",
            )
    step = max(1, len(x) // 20)
    ax.set_xticks(x[::step], trend.periods[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("hits per 10,000 words" if trend.per_10k else "matching turns")
    langs = ", ".join(trend.langs) if trend.langs else "every language"
    ax.set_title(
        f"{trend.query or 'all'}: by {trend.by} (words: {langs}; hollow grey: fewer "
        f"than {trend.min_sample:,} words)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    if len(trend.series) > 1 or trend.window > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lower()[1:])
    plt.close(fig)
    return path
