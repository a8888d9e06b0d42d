"""Applications and licences: an application screened when it is received, the s.3(1) grant gate and
the adverse records it weighs, grant, status changes and renewal, DBS details, and the enforcement and
public checks of who licenses a driver; the officers' search of the council's own records (finding.py) and
what they must see first, safeguarding before routine (attention.py).
"""
