"""The prediction log: what a served model was asked and answered, kept for monitoring.

`schema` names the log's own fields and reads and writes its partitioned Parquet files;
`writer` batches requests off the request path; `feedback` joins labels that arrive later.
"""
