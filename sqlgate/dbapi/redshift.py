"""Amazon Redshift (``redshift+sqlgate://``) over the PostgreSQL protocol.

IAM authentication is the usual way in: ``?credential=aws-redshift&credential_cluster_id=…``
asks the AWS provider for temporary cluster credentials on every new connection.
"""

from sqlgate.dbapi.postgres_family import *  # noqa: F403
from sqlgate.dbapi.postgres_family import PostgresFlavor

flavor = PostgresFlavor(
    source="redshift",
    product_pattern=r"Redshift (\d+)\.(\d+)\.(\d+)",
    connect_defaults={"sslmode": "prefer"},
)
connect = flavor.connect
