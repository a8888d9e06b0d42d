"""Precision, recall and F1 of scored candidates against the truth, and the report table."""

from collections import defaultdict

Scored = dict[str, list[tuple[str, float]]]


def _f1(p: float, r: float) -> float:
    """Return the harmonic mean of precision and recall."""
    return 2 * p * r / (p + r) if p + r else 0.0


def at_cut(truth: list[dict], scored: Scored, cut: float) -> dict:
    """Return pair precision, recall and F1 when every candidate scoring >= `cut` is called a match."""
    true_of = {t["applicant_ref"]: t["true_candidate_ref"] for t in truth}
    tp = fp = 0
    for applicant, candidates in scored.items():
        for ref, score in candidates:
            if score >= cut:
                if ref == true_of.get(applicant):
                    tp += 1
                else:
                    fp += 1
    positives = sum(1 for t in truth if t["true_candidate_ref"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 0.0
    return {
        "cut": cut,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "tp": tp,
        "fp": fp,
    }


def best_cut(truth: list[dict], scored: Scored) -> dict:
    """Return the figures at the score cut that maximises F1."""
    true_of = {t["applicant_ref"]: t["true_candidate_ref"] for t in truth}
    positives = sum(1 for t in truth if t["true_candidate_ref"])
    events = sorted(
        ((score, ref == true_of.get(app)) for app, cands in scored.items() for ref, score in cands),
        reverse=True,
    )
    best = {"cut": 1.0, "precision": 1.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 0}
    tp = fp = 0
    for i, (score, hit) in enumerate(events):
        tp, fp = tp + hit, fp + (not hit)
        if i + 1 < len(events) and events[i + 1][0] == score:
            continue  # a cut keeps every candidate with the same score
        precision, recall = tp / (tp + fp), tp / positives if positives else 0.0
        if _f1(precision, recall) > best["f1"]:
            best = {"cut": score, "precision": precision, "recall": recall, "f1": _f1(precision, recall)}
            best |= {"tp": tp, "fp": fp}
    return best


def recall_by_kind(truth: list[dict], scored: Scored, cut: float) -> dict[str, float]:
    """Return, per corruption kind, the share of true applicants whose record scores >= `cut`."""
    found, total = defaultdict(int), defaultdict(int)
    for t in truth:
        if not t["true_candidate_ref"]:
            continue
        total[t["kind"]] += 1
        hits = scored.get(t["applicant_ref"], [])
        found[t["kind"]] += any(ref == t["true_candidate_ref"] and s >= cut for ref, s in hits)
    return {kind: found[kind] / total[kind] for kind in sorted(total)}


def false_match_share(truth: list[dict], scored: Scored, cut: float) -> dict[str, float]:
    """Return, per look-alike kind and for strangers, the share with any candidate scoring >= `cut`."""
    flagged, total = defaultdict(int), defaultdict(int)
    for t in truth:
        if t["true_candidate_ref"]:
            continue
        total[t["kind"]] += 1
        flagged[t["kind"]] += any(s >= cut for _, s in scored.get(t["applicant_ref"], []))
    shares = {kind: flagged[kind] / total[kind] for kind in sorted(total)}
    lookalikes = [k for k in total if k != "no_match"]
    if lookalikes:
        shares["all_lookalikes"] = sum(flagged[k] for k in lookalikes) / sum(total[k] for k in lookalikes)
    return shares


POSSIBLE = 0.4  # the lowest score an officer is asked to review


def evaluate(truth: list[dict], scored: Scored, match: float) -> dict:
    """Return every figure the report shows for one system."""
    best = best_cut(truth, scored)
    return {
        "at_match": at_cut(truth, scored, match),
        "at_best": best,
        "recall_by_kind_at_match": recall_by_kind(truth, scored, match),
        "recall_by_kind_at_best": recall_by_kind(truth, scored, best["cut"]),
        "flagged_at_match": false_match_share(truth, scored, match),
        # The review load: how many applicants who are on no register still get a candidate to review.
        "flagged_at_possible": false_match_share(truth, scored, POSSIBLE),
    }


def markdown(report: dict) -> str:
    """Render the report as Markdown tables, systems side by side."""
    systems = report["systems"]
    names = list(systems)
    lines = [
        f"Machine: {report['machine']['cores']} cores, Python {report['machine']['python']}. "
        f"Register {report['sizes']['register']}, applicants {dict(report['applicants_by_class'])}.",
        "",
        "| measure | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]

    def row(label, get, fmt="{:.4f}"):
        """Append one measure's row, a dash where a system has no figure."""
        cells = []
        for n in names:
            value = get(systems[n])
            cells.append("–" if value is None else fmt.format(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for key, label in (("at_match", "at score ≥ 0.9"), ("at_best", "at best cut")):
        for measure in ("precision", "recall", "f1"):
            row(f"{measure} {label}", lambda s, k=key, m=measure: s[k][m])
    row("best cut", lambda s: s["at_best"]["cut"], "{:.3f}")
    kinds = sorted({k for s in systems.values() for k in s["flagged_at_match"]})
    for kind in kinds:
        row(f"share of {kind} scored ≥ 0.9", lambda s, k=kind: s["flagged_at_match"].get(k))
    row(
        f"review load: no-match applicants with a candidate ≥ {POSSIBLE}",
        lambda s: s.get("flagged_at_possible", {}).get("no_match"),
    )
    kinds = sorted({k for s in systems.values() for k in s["recall_by_kind_at_match"]})
    for kind in kinds:
        row(f"recall ≥ 0.9: {kind}", lambda s, k=kind: s["recall_by_kind_at_match"].get(k), "{:.3f}")
    row("run time (s)", lambda s: s["timings"].get("total_s"), "{:.1f}")
    return "\n".join(lines)
