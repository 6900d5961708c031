"""Payment batches: frozen snapshots of allowances, approval, SEPA export, outcomes."""
