"""Plotly figures from the frames :mod:`dashboard.query` shapes (drawing only).

Each function takes a frame and the page's words and returns a figure in
Plotly's figure format (``data`` and ``layout``); the page hands it to
plotly.js, served by the service itself. Building ``plotly.graph_objects``
figures validates every property on every page view, which cost 17 ms a chart
(about 0.2 s a page); the tests build each figure through
``plotly.graph_objects.Figure`` instead, which refuses a wrong property.
Colours keep a contrast of at least 4.5:1 on white for text and 3:1 for marks.
"""

import json

import pandas as pd
import plotly.io as pio

Figure = dict  # {"data": [trace, ...], "layout": {...}} in Plotly's schema

GUEST = "#1a5e9a"
BOT = "#b3541e"
SCALE = [[0, "#f3f7fb"], [1, "#0b3d6b"]]
WEEKDAYS = {
    "id": ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def _layout(height: int = 320, **more) -> dict:
    # every axis makes room for its labels (long institution names, weekdays)
    for axis in ("xaxis", "yaxis"):
        more[axis] = {"automargin": True, **more.get(axis, {})}
    return {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": False,
        "separators": ",.",
        **more,
    }


def to_json(figure: Figure) -> str:
    """The figure as the JSON plotly.js draws (data and layout)."""
    return pio.to_json(figure, validate=False, pretty=False, engine="json")


def _bar(x, y, colour, **more) -> dict:
    return {"type": "bar", "x": list(x), "y": list(y), "marker": {"color": colour},
            **more}  # fmt: skip


def over_time(frame: pd.DataFrame, words: dict) -> Figure:
    """Guests' scans (and bots', when asked) per period, as stacked bars."""
    periods = list(frame["period"].dt.strftime("%Y-%m-%d"))
    data = [_bar(periods, frame["guest"], GUEST, name=words["guests"])]
    bots = bool(frame["bot"].any())
    if bots:
        data.append(_bar(periods, frame["bot"], BOT, name=words["bots"]))
    layout = _layout(
        barmode="stack", showlegend=bots, legend={"orientation": "h", "y": -0.15},
        xaxis={"automargin": True, "type": "date"},
        yaxis={"automargin": True, "rangemode": "tozero"},
    )  # fmt: skip
    return {"data": data, "layout": layout}


def ranking(frame: pd.DataFrame, labels: list[str], top: int = 15) -> Figure:
    """Horizontal bars of the largest values, biggest on top."""
    frame = frame.head(top).iloc[::-1]
    labels = labels[:top][::-1]
    # bars stand at positions, not at their shortened labels: two names that
    # shorten alike would otherwise share one category and hide each other
    places = list(range(len(labels)))
    bar = _bar(
        frame["scans"], places, GUEST, orientation="h",
        text=list(frame["scans"]), textposition="auto", customdata=labels,
        hovertemplate="%{customdata}: %{x}<extra></extra>",
    )  # fmt: skip
    layout = _layout(
        max(160, 28 * len(frame) + 40),
        yaxis={"automargin": True, "tickmode": "array", "tickvals": places,
               "ticktext": [_short(label) for label in labels],
               "range": [-0.5, len(labels) - 0.5]},
        xaxis={"automargin": True, "rangemode": "tozero"},
    )  # fmt: skip
    return {"data": [bar], "layout": layout}


def _short(label: str, most: int = 28) -> str:
    """A label short enough to leave the bars room on a phone."""
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def split(frame: pd.DataFrame, labels: list[str]) -> Figure:
    """Two or three shares side by side (bots against guests, QR against typed)."""
    colours = [GUEST, BOT, "#4d7d2a"][: len(frame)]
    bar = _bar(
        labels, frame["scans"], colours, text=list(frame["scans"]),
        textposition="auto", hovertemplate="%{x}: %{y}<extra></extra>",
    )  # fmt: skip
    return {"data": [bar], "layout": _layout(240, xaxis={"type": "category"})}


def heatmap(table: pd.DataFrame, words: dict, lang: str) -> Figure:
    """Weekday by hour in the office's zone."""
    trace = {
        "type": "heatmap",
        "z": table.values.tolist(),
        "x": [f"{h:02d}" for h in table.columns],
        "y": WEEKDAYS[lang],
        "colorscale": SCALE,
        "hovertemplate": "%{y} %{x}:00 · %{z}<extra></extra>",
        "colorbar": {"thickness": 10},
    }
    layout = _layout(
        280,
        xaxis={"title": {"text": words["hour"]}, "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return {"data": [trace], "layout": layout}


def phases(frame: pd.DataFrame, words: dict) -> Figure:
    """Daily scans around an event, coloured by before, during and after."""
    colours = {"before": "#6b7785", "during": GUEST, "after": "#4d7d2a"}
    data = []
    for phase, colour in colours.items():
        rows = frame[frame["phase"] == phase]
        days = rows["day"].dt.strftime("%Y-%m-%d")
        data.append(_bar(days, rows["scans"], colour, name=words[phase]))
    layout = _layout(
        320, showlegend=True, barmode="overlay",
        legend={"orientation": "h", "y": -0.15}, yaxis={"rangemode": "tozero"},
        xaxis={"type": "date"},
    )  # fmt: skip
    return {"data": data, "layout": layout}


def as_script(figure: Figure) -> str:
    """The figure's JSON made safe inside a ``<script type=application/json>``."""
    text = to_json(figure)
    return text.replace("</", "<\\/")


def parse(text: str) -> dict:
    """A figure's JSON back as data (tests)."""
    return json.loads(text)
