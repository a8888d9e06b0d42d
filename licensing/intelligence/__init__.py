"""Police intelligence: pushed by a force, matched and routed to the councils that license or are
processing the person, and what a council may see of what was routed to it.
"""
