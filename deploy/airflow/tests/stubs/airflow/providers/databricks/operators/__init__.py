"""Stand-in for tests: see airflow/__init__.py."""
