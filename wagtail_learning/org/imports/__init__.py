"""The staff import: an HR system's export (CSV or XLSX) -> people in the organisation tree.

    parse    read the file into headings and rows, within limits (no decompression bombs)
    mapping  which column holds which of our fields
    units    find and create units by path ("Huddinge/Soc/Enhet X")
    plan     check rows, match people, work out what to write (a dry run stops here)
    apply    write a plan, in the caller's transaction
    audit    the audit-log entry of an import
    service  import_staff: the steps together; who may import where
    jobs     an import from the admin, stored (StaffImport) and run as a task

Outsiders use org.api.
"""
