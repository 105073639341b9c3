"""Demo data: 平顶山市湛河区人民政府 with its departments (including 湛河区司法局, the agency of the seed report),
a second county government, staff in every role and public users. Loading is idempotent."""
