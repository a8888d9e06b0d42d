"""The statutory workflows between councils: s.3 information requests (20 working days to answer) and
s.5/s.6 concern reports, with the working-day rule their deadlines count by.
"""
