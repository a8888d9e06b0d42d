"""Crosscheck's domain: identities, matching, licensing records and the services that change them."""
