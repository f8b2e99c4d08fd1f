# The demo rosters are checked against the incidents tests' election.
from tests.incidents.conftest import election  # noqa: F401
