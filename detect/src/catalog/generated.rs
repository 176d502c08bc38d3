// @generated from ics-attack-18.1-techniques.csv by
// `OTWIRE_REGENERATE=1 cargo test -p otwire-detect --test catalog`. Do not edit.

use super::Technique;

/// Every technique of ATT&CK for ICS v18.1, in id order (83 techniques).
pub static TECHNIQUES: [&Technique; 83] = [
    &T0800,
    &T0801,
    &T0802,
    &T0803,
    &T0804,
    &T0805,
    &T0806,
    &T0807,
    &T0809,
    &T0811,
    &T0812,
    &T0813,
    &T0814,
    &T0815,
    &T0816,
    &T0817,
    &T0819,
    &T0820,
    &T0821,
    &T0822,
    &T0823,
    &T0826,
    &T0827,
    &T0828,
    &T0829,
    &T0830,
    &T0831,
    &T0832,
    &T0834,
    &T0835,
    &T0836,
    &T0837,
    &T0838,
    &T0839,
    &T0840,
    &T0842,
    &T0843,
    &T0845,
    &T0846,
    &T0847,
    &T0848,
    &T0849,
    &T0851,
    &T0852,
    &T0853,
    &T0855,
    &T0856,
    &T0857,
    &T0858,
    &T0859,
    &T0860,
    &T0861,
    &T0862,
    &T0863,
    &T0864,
    &T0865,
    &T0866,
    &T0867,
    &T0868,
    &T0869,
    &T0871,
    &T0872,
    &T0873,
    &T0874,
    &T0877,
    &T0878,
    &T0879,
    &T0880,
    &T0881,
    &T0882,
    &T0883,
    &T0884,
    &T0885,
    &T0886,
    &T0887,
    &T0888,
    &T0889,
    &T0890,
    &T0891,
    &T0892,
    &T0893,
    &T0894,
    &T0895,
];

/// T0800 Activate Firmware Update Mode (inhibit-response-function).
pub static T0800: Technique = Technique { id: "T0800", name: "Activate Firmware Update Mode", tactics: &["inhibit-response-function"] };

/// T0801 Monitor Process State (collection).
pub static T0801: Technique = Technique { id: "T0801", name: "Monitor Process State", tactics: &["collection"] };

/// T0802 Automated Collection (collection).
pub static T0802: Technique = Technique { id: "T0802", name: "Automated Collection", tactics: &["collection"] };

/// T0803 Block Command Message (inhibit-response-function).
pub static T0803: Technique = Technique { id: "T0803", name: "Block Command Message", tactics: &["inhibit-response-function"] };

/// T0804 Block Reporting Message (inhibit-response-function).
pub static T0804: Technique = Technique { id: "T0804", name: "Block Reporting Message", tactics: &["inhibit-response-function"] };

/// T0805 Block Serial COM (inhibit-response-function).
pub static T0805: Technique = Technique { id: "T0805", name: "Block Serial COM", tactics: &["inhibit-response-function"] };

/// T0806 Brute Force I/O (impair-process-control).
pub static T0806: Technique = Technique { id: "T0806", name: "Brute Force I/O", tactics: &["impair-process-control"] };

/// T0807 Command-Line Interface (execution).
pub static T0807: Technique = Technique { id: "T0807", name: "Command-Line Interface", tactics: &["execution"] };

/// T0809 Data Destruction (inhibit-response-function).
pub static T0809: Technique = Technique { id: "T0809", name: "Data Destruction", tactics: &["inhibit-response-function"] };

/// T0811 Data from Information Repositories (collection).
pub static T0811: Technique = Technique { id: "T0811", name: "Data from Information Repositories", tactics: &["collection"] };

/// T0812 Default Credentials (lateral-movement).
pub static T0812: Technique = Technique { id: "T0812", name: "Default Credentials", tactics: &["lateral-movement"] };

/// T0813 Denial of Control (impact).
pub static T0813: Technique = Technique { id: "T0813", name: "Denial of Control", tactics: &["impact"] };

/// T0814 Denial of Service (inhibit-response-function).
pub static T0814: Technique = Technique { id: "T0814", name: "Denial of Service", tactics: &["inhibit-response-function"] };

/// T0815 Denial of View (impact).
pub static T0815: Technique = Technique { id: "T0815", name: "Denial of View", tactics: &["impact"] };

/// T0816 Device Restart/Shutdown (inhibit-response-function).
pub static T0816: Technique = Technique { id: "T0816", name: "Device Restart/Shutdown", tactics: &["inhibit-response-function"] };

/// T0817 Drive-by Compromise (initial-access).
pub static T0817: Technique = Technique { id: "T0817", name: "Drive-by Compromise", tactics: &["initial-access"] };

/// T0819 Exploit Public-Facing Application (initial-access).
pub static T0819: Technique = Technique { id: "T0819", name: "Exploit Public-Facing Application", tactics: &["initial-access"] };

/// T0820 Exploitation for Evasion (evasion).
pub static T0820: Technique = Technique { id: "T0820", name: "Exploitation for Evasion", tactics: &["evasion"] };

/// T0821 Modify Controller Tasking (execution).
pub static T0821: Technique = Technique { id: "T0821", name: "Modify Controller Tasking", tactics: &["execution"] };

/// T0822 External Remote Services (initial-access).
pub static T0822: Technique = Technique { id: "T0822", name: "External Remote Services", tactics: &["initial-access"] };

/// T0823 Graphical User Interface (execution).
pub static T0823: Technique = Technique { id: "T0823", name: "Graphical User Interface", tactics: &["execution"] };

/// T0826 Loss of Availability (impact).
pub static T0826: Technique = Technique { id: "T0826", name: "Loss of Availability", tactics: &["impact"] };

/// T0827 Loss of Control (impact).
pub static T0827: Technique = Technique { id: "T0827", name: "Loss of Control", tactics: &["impact"] };

/// T0828 Loss of Productivity and Revenue (impact).
pub static T0828: Technique = Technique { id: "T0828", name: "Loss of Productivity and Revenue", tactics: &["impact"] };

/// T0829 Loss of View (impact).
pub static T0829: Technique = Technique { id: "T0829", name: "Loss of View", tactics: &["impact"] };

/// T0830 Adversary-in-the-Middle (collection).
pub static T0830: Technique = Technique { id: "T0830", name: "Adversary-in-the-Middle", tactics: &["collection"] };

/// T0831 Manipulation of Control (impact).
pub static T0831: Technique = Technique { id: "T0831", name: "Manipulation of Control", tactics: &["impact"] };

/// T0832 Manipulation of View (impact).
pub static T0832: Technique = Technique { id: "T0832", name: "Manipulation of View", tactics: &["impact"] };

/// T0834 Native API (execution).
pub static T0834: Technique = Technique { id: "T0834", name: "Native API", tactics: &["execution"] };

/// T0835 Manipulate I/O Image (inhibit-response-function).
pub static T0835: Technique = Technique { id: "T0835", name: "Manipulate I/O Image", tactics: &["inhibit-response-function"] };

/// T0836 Modify Parameter (impair-process-control).
pub static T0836: Technique = Technique { id: "T0836", name: "Modify Parameter", tactics: &["impair-process-control"] };

/// T0837 Loss of Protection (impact).
pub static T0837: Technique = Technique { id: "T0837", name: "Loss of Protection", tactics: &["impact"] };

/// T0838 Modify Alarm Settings (inhibit-response-function).
pub static T0838: Technique = Technique { id: "T0838", name: "Modify Alarm Settings", tactics: &["inhibit-response-function"] };

/// T0839 Module Firmware (persistence, impair-process-control).
pub static T0839: Technique = Technique { id: "T0839", name: "Module Firmware", tactics: &["persistence", "impair-process-control"] };

/// T0840 Network Connection Enumeration (discovery).
pub static T0840: Technique = Technique { id: "T0840", name: "Network Connection Enumeration", tactics: &["discovery"] };

/// T0842 Network Sniffing (discovery).
pub static T0842: Technique = Technique { id: "T0842", name: "Network Sniffing", tactics: &["discovery"] };

/// T0843 Program Download (lateral-movement).
pub static T0843: Technique = Technique { id: "T0843", name: "Program Download", tactics: &["lateral-movement"] };

/// T0845 Program Upload (collection).
pub static T0845: Technique = Technique { id: "T0845", name: "Program Upload", tactics: &["collection"] };

/// T0846 Remote System Discovery (discovery).
pub static T0846: Technique = Technique { id: "T0846", name: "Remote System Discovery", tactics: &["discovery"] };

/// T0847 Replication Through Removable Media (initial-access).
pub static T0847: Technique = Technique { id: "T0847", name: "Replication Through Removable Media", tactics: &["initial-access"] };

/// T0848 Rogue Master (initial-access).
pub static T0848: Technique = Technique { id: "T0848", name: "Rogue Master", tactics: &["initial-access"] };

/// T0849 Masquerading (evasion).
pub static T0849: Technique = Technique { id: "T0849", name: "Masquerading", tactics: &["evasion"] };

/// T0851 Rootkit (evasion, inhibit-response-function).
pub static T0851: Technique = Technique { id: "T0851", name: "Rootkit", tactics: &["evasion", "inhibit-response-function"] };

/// T0852 Screen Capture (collection).
pub static T0852: Technique = Technique { id: "T0852", name: "Screen Capture", tactics: &["collection"] };

/// T0853 Scripting (execution).
pub static T0853: Technique = Technique { id: "T0853", name: "Scripting", tactics: &["execution"] };

/// T0855 Unauthorized Command Message (impair-process-control).
pub static T0855: Technique = Technique { id: "T0855", name: "Unauthorized Command Message", tactics: &["impair-process-control"] };

/// T0856 Spoof Reporting Message (evasion, impair-process-control).
pub static T0856: Technique = Technique { id: "T0856", name: "Spoof Reporting Message", tactics: &["evasion", "impair-process-control"] };

/// T0857 System Firmware (persistence, inhibit-response-function).
pub static T0857: Technique = Technique { id: "T0857", name: "System Firmware", tactics: &["persistence", "inhibit-response-function"] };

/// T0858 Change Operating Mode (execution, evasion).
pub static T0858: Technique = Technique { id: "T0858", name: "Change Operating Mode", tactics: &["execution", "evasion"] };

/// T0859 Valid Accounts (persistence, lateral-movement).
pub static T0859: Technique = Technique { id: "T0859", name: "Valid Accounts", tactics: &["persistence", "lateral-movement"] };

/// T0860 Wireless Compromise (initial-access).
pub static T0860: Technique = Technique { id: "T0860", name: "Wireless Compromise", tactics: &["initial-access"] };

/// T0861 Point & Tag Identification (collection).
pub static T0861: Technique = Technique { id: "T0861", name: "Point & Tag Identification", tactics: &["collection"] };

/// T0862 Supply Chain Compromise (initial-access).
pub static T0862: Technique = Technique { id: "T0862", name: "Supply Chain Compromise", tactics: &["initial-access"] };

/// T0863 User Execution (execution).
pub static T0863: Technique = Technique { id: "T0863", name: "User Execution", tactics: &["execution"] };

/// T0864 Transient Cyber Asset (initial-access).
pub static T0864: Technique = Technique { id: "T0864", name: "Transient Cyber Asset", tactics: &["initial-access"] };

/// T0865 Spearphishing Attachment (initial-access).
pub static T0865: Technique = Technique { id: "T0865", name: "Spearphishing Attachment", tactics: &["initial-access"] };

/// T0866 Exploitation of Remote Services (initial-access, lateral-movement).
pub static T0866: Technique = Technique { id: "T0866", name: "Exploitation of Remote Services", tactics: &["initial-access", "lateral-movement"] };

/// T0867 Lateral Tool Transfer (lateral-movement).
pub static T0867: Technique = Technique { id: "T0867", name: "Lateral Tool Transfer", tactics: &["lateral-movement"] };

/// T0868 Detect Operating Mode (collection).
pub static T0868: Technique = Technique { id: "T0868", name: "Detect Operating Mode", tactics: &["collection"] };

/// T0869 Standard Application Layer Protocol (command-and-control).
pub static T0869: Technique = Technique { id: "T0869", name: "Standard Application Layer Protocol", tactics: &["command-and-control"] };

/// T0871 Execution through API (execution).
pub static T0871: Technique = Technique { id: "T0871", name: "Execution through API", tactics: &["execution"] };

/// T0872 Indicator Removal on Host (evasion).
pub static T0872: Technique = Technique { id: "T0872", name: "Indicator Removal on Host", tactics: &["evasion"] };

/// T0873 Project File Infection (persistence).
pub static T0873: Technique = Technique { id: "T0873", name: "Project File Infection", tactics: &["persistence"] };

/// T0874 Hooking (execution, privilege-escalation).
pub static T0874: Technique = Technique { id: "T0874", name: "Hooking", tactics: &["execution", "privilege-escalation"] };

/// T0877 I/O Image (collection).
pub static T0877: Technique = Technique { id: "T0877", name: "I/O Image", tactics: &["collection"] };

/// T0878 Alarm Suppression (inhibit-response-function).
pub static T0878: Technique = Technique { id: "T0878", name: "Alarm Suppression", tactics: &["inhibit-response-function"] };

/// T0879 Damage to Property (impact).
pub static T0879: Technique = Technique { id: "T0879", name: "Damage to Property", tactics: &["impact"] };

/// T0880 Loss of Safety (impact).
pub static T0880: Technique = Technique { id: "T0880", name: "Loss of Safety", tactics: &["impact"] };

/// T0881 Service Stop (inhibit-response-function).
pub static T0881: Technique = Technique { id: "T0881", name: "Service Stop", tactics: &["inhibit-response-function"] };

/// T0882 Theft of Operational Information (impact).
pub static T0882: Technique = Technique { id: "T0882", name: "Theft of Operational Information", tactics: &["impact"] };

/// T0883 Internet Accessible Device (initial-access).
pub static T0883: Technique = Technique { id: "T0883", name: "Internet Accessible Device", tactics: &["initial-access"] };

/// T0884 Connection Proxy (command-and-control).
pub static T0884: Technique = Technique { id: "T0884", name: "Connection Proxy", tactics: &["command-and-control"] };

/// T0885 Commonly Used Port (command-and-control).
pub static T0885: Technique = Technique { id: "T0885", name: "Commonly Used Port", tactics: &["command-and-control"] };

/// T0886 Remote Services (initial-access, lateral-movement).
pub static T0886: Technique = Technique { id: "T0886", name: "Remote Services", tactics: &["initial-access", "lateral-movement"] };

/// T0887 Wireless Sniffing (discovery, collection).
pub static T0887: Technique = Technique { id: "T0887", name: "Wireless Sniffing", tactics: &["discovery", "collection"] };

/// T0888 Remote System Information Discovery (discovery).
pub static T0888: Technique = Technique { id: "T0888", name: "Remote System Information Discovery", tactics: &["discovery"] };

/// T0889 Modify Program (persistence).
pub static T0889: Technique = Technique { id: "T0889", name: "Modify Program", tactics: &["persistence"] };

/// T0890 Exploitation for Privilege Escalation (privilege-escalation).
pub static T0890: Technique = Technique { id: "T0890", name: "Exploitation for Privilege Escalation", tactics: &["privilege-escalation"] };

/// T0891 Hardcoded Credentials (lateral-movement, persistence).
pub static T0891: Technique = Technique { id: "T0891", name: "Hardcoded Credentials", tactics: &["lateral-movement", "persistence"] };

/// T0892 Change Credential (inhibit-response-function).
pub static T0892: Technique = Technique { id: "T0892", name: "Change Credential", tactics: &["inhibit-response-function"] };

/// T0893 Data from Local System (collection).
pub static T0893: Technique = Technique { id: "T0893", name: "Data from Local System", tactics: &["collection"] };

/// T0894 System Binary Proxy Execution (evasion).
pub static T0894: Technique = Technique { id: "T0894", name: "System Binary Proxy Execution", tactics: &["evasion"] };

/// T0895 Autorun Image (execution).
pub static T0895: Technique = Technique { id: "T0895", name: "Autorun Image", tactics: &["execution"] };
