"""Scripts that maintain the repository itself (generated docs); not part of the package."""
