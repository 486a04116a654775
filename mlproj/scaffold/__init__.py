"""Making a project from the template and bringing it up to a newer template."""
