"""Demo and scale data: the logins, contact lists, rosters, incidents and
status reports of `load_demo`, and the synthetic province or country of
`generate_scale_data` for the benchmarks. Above readiness: it may import
contacts, incidents and readiness, which never import it; nothing here runs
at start-up, only through its commands, the benchmarks and the tests."""
