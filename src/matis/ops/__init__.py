"""Operating an instance: backup and restore (:mod:`.backup`), key export (:mod:`.keyexport`),
and the deployment checks behind ``matis check`` (:mod:`.checks`)."""
