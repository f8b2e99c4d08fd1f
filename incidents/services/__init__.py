"""Changes to incidents and rosters (STYLE §3): each in one transaction."""
