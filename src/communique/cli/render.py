"""Documents as people read them in a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from communique.model import Document

ROLE_STYLE = {
    "question": "bold cyan",
    "answer": "bold green",
    "statement": "bold",
    "remark": "bold magenta",
    "moderator": "bold yellow",
}


def print_document(console: Console, doc: Document) -> None:
    """Header (date, title, publisher, versions, participants) then the turns."""
    when = " ".join(x for x in (doc.date or "undated", doc.time or "", doc.tz or "") if x)
    console.print(f"[dim]{escape(when)}[/]  [bold]{escape(doc.title or doc.id)}[/]"
                  + (" [dim](title inferred)[/]" if doc.title_inferred else ""))
    facts = [doc.publisher or "unknown publisher", doc.kind, doc.lang or "?"]
    if doc.place:
        facts.append(doc.place)
    if doc.versions:
        facts.append("versions: " + " ".join(doc.versions))
    console.print("[dim]" + escape(" · ".join(facts)) + "[/]")
    if doc.url:
        console.print(f"[dim]{escape(doc.url)}[/]")
    if doc.license:
        console.print(f"[dim]{escape(doc.license)}, {escape(doc.attribution or '')}[/]")
    if doc.participants:
        names = [
            p.name + (f" ({p.title or p.affiliation})" if p.title or p.affiliation else "")
            for p in doc.participants
        ]
        console.print("[dim]participants: " + escape(", ".join(names)) + "[/]")
    console.print(f"[dim]cite as {escape(doc.id)}@{escape(doc.revision)}[/]\n")
    if doc.lead:  # the summary under the title (#t0), not a turn
        console.print(Text("#t0 lead", style="dim"))
        console.print(Text(doc.lead, style="italic"))
        console.print()
    for t in doc.turns:
        who = t.speaker or t.label or ""
        if t.affiliation and t.affiliation != who:
            who = f"{who} ({t.affiliation})" if who else t.affiliation
        head = Text(f"#t{t.n} ", style="dim")
        head.append(f"{who or t.role}", style=ROLE_STYLE.get(t.role, "bold"))
        tail = f" [{t.role}" + (f" to #t{t.answers}" if t.answers else "")
        tail += ", inferred" if t.role_inferred else ""  # read from the wording
        tail += f", uncertain: {t.role_uncertain}]" if t.role_uncertain else "]"
        head.append(tail + (" (interpreted)" if t.interpreted else ""), style="dim")
        console.print(head)
        console.print(Text(t.text))
        console.print()
