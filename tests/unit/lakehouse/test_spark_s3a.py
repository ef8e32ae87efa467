"""The object_store options sqlgate keeps for a store, as the S3A settings a Spark session gets."""

from __future__ import annotations

from sqlgate.lakehouse.spark.translate import on_s3, s3a_conf


def test_key_pair_over_http_path_style() -> None:
    conf = s3a_conf(
        {
            "aws_endpoint_url": "http://127.0.0.1:8333",
            "aws_allow_http": "true",
            "aws_region": "us-east-1",
            "aws_access_key_id": "AKID",
            "aws_secret_access_key": "s3cr3t",
            "timeout": "30s",
        }
    )
    assert conf == {
        "fs.s3a.impl.disable.cache": "true",
        "fs.s3a.path.style.access": "true",
        "fs.s3a.endpoint": "http://127.0.0.1:8333",
        "fs.s3a.connection.ssl.enabled": "false",
        "fs.s3a.endpoint.region": "us-east-1",
        "fs.s3a.access.key": "AKID",
        "fs.s3a.secret.key": "s3cr3t",
        "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }


def test_session_token_virtual_hosted_https() -> None:
    conf = s3a_conf(
        {
            "AWS_ENDPOINT_URL": "https://bucket.oss-cn-hangzhou.aliyuncs.com",
            "aws_virtual_hosted_style_request": "true",
            "aws_access_key_id": "AKID",
            "aws_secret_access_key": "s3cr3t",
            "aws_session_token": "tok",
        }
    )
    assert conf["fs.s3a.path.style.access"] == "false"
    assert conf["fs.s3a.connection.ssl.enabled"] == "true"
    assert conf["fs.s3a.session.token"] == "tok"
    assert conf["fs.s3a.aws.credentials.provider"].endswith("TemporaryAWSCredentialsProvider")


def test_no_credentials_leaves_the_cluster_default_chain() -> None:
    conf = s3a_conf({"aws_region": "eu-west-1"})
    assert "fs.s3a.aws.credentials.provider" not in conf and "fs.s3a.access.key" not in conf
    assert conf["fs.s3a.impl.disable.cache"] == "true"
    assert on_s3("s3://b/x") and on_s3("s3a://b/x") and not on_s3("/tmp/x")
