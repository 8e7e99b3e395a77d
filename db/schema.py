"""The whole schema: every domain's models registered on one metadata, for Alembic and tests."""

import accounts.models  # noqa: F401 - registers the tables
import broadcasts.models  # noqa: F401 - registers the tables
import delivery.models  # noqa: F401 - registers the tables
import events.models  # noqa: F401 - registers the tables
import pledges.models  # noqa: F401 - registers the tables
import surveys.models  # noqa: F401 - registers the tables
from db.models import Base

metadata = Base.metadata
