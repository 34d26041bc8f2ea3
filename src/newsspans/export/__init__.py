"""The published exports: Parquet configs, their features, rows, shards and checks."""
