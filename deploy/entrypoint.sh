#!/bin/sh
# The image's commands: web (the default), scheduler, migrate; anything else runs as given (flask …).
set -eu
case "${1:-web}" in
    web)
        [ $# -gt 0 ] && shift
        exec gunicorn --config /app/gunicorn.conf.py "$@" wsgi:app
        ;;
    scheduler)
        shift
        exec python -m scheduler "$@"
        ;;
    migrate)
        # A job before each rollout: once the database answers, bring the schema to head and exit.
        python /app/deploy/wait_for_database.py
        exec flask db upgrade
        ;;
    *)
        exec "$@"
        ;;
esac
