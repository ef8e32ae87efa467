"""``python -m sqlgate.gateway --config gateway.toml``."""

from sqlgate.gateway import main

raise SystemExit(main())
