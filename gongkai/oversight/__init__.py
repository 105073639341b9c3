"""What a 主管部门 sees and decides over the agencies it supervises: the dashboard and the yearly scoring (考核)."""
