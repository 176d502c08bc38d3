//! S7comm error codes: the 16-bit parameter error code of ack-data and userdata answers,
//! which is also the header's error class (high byte) and error code (low byte) read as
//! one value. Names as Wireshark's value table (`tshark -G values`, `s7comm.param.errcod`)
//! gives them.

use otwire_core::open_enum;

open_enum! {
    /// S7comm error code (error class << 8 | error code).
    pub enum ErrorCode: u16 {
        /// No error (0x0000).
        NoError = 0x0000 => "No error",
        /// Invalid block number (0x0110).
        InvalidBlockNumber = 0x0110 => "Invalid block number",
        /// Invalid request length (0x0111).
        InvalidRequestLength = 0x0111 => "Invalid request length",
        /// Invalid parameter (0x0112).
        InvalidParameter = 0x0112 => "Invalid parameter",
        /// Invalid block type (0x0113).
        InvalidBlockType = 0x0113 => "Invalid block type",
        /// Block not found (0x0114).
        BlockNotFound = 0x0114 => "Block not found",
        /// Block already exists (0x0115).
        BlockAlreadyExists = 0x0115 => "Block already exists",
        /// Block is write-protected (0x0116).
        BlockIsWriteProtected = 0x0116 => "Block is write-protected",
        /// The block/operating system update is too large (0x0117).
        TheBlockOperatingSystemUpdateIs = 0x0117 => "The block/operating system update is too large",
        /// Invalid block number (0x0118).
        InvalidBlockNumberX0118 = 0x0118 => "Invalid block number",
        /// Incorrect password entered (0x0119).
        IncorrectPasswordEntered = 0x0119 => "Incorrect password entered",
        /// PG resource error (0x011A).
        PGResourceError = 0x011A => "PG resource error",
        /// PLC resource error (0x011B).
        PLCResourceError = 0x011B => "PLC resource error",
        /// Protocol error (0x011C).
        ProtocolError = 0x011C => "Protocol error",
        /// Too many blocks (module-related restriction) (0x011D).
        TooManyBlocksModuleRelatedRestriction = 0x011D => "Too many blocks (module-related restriction)",
        /// There is no longer a connection to the database, or S7DOS handle is invalid (0x011E).
        ThereIsNoLongerAConnection = 0x011E => "There is no longer a connection to the database, or S7DOS handle is invalid",
        /// Result buffer too small (0x011F).
        ResultBufferTooSmall = 0x011F => "Result buffer too small",
        /// End of block list (0x0120).
        EndOfBlockList = 0x0120 => "End of block list",
        /// Insufficient memory available (0x0140).
        InsufficientMemoryAvailable = 0x0140 => "Insufficient memory available",
        /// Job cannot be processed because of a lack of resources (0x0141).
        JobCannotBeProcessedBecauseOf = 0x0141 => "Job cannot be processed because of a lack of resources",
        /// The requested service cannot be performed while the block is in the current status (0x8001).
        TheRequestedServiceCannotBePerformed = 0x8001 => "The requested service cannot be performed while the block is in the current status",
        /// S7 protocol error: Error occurred while transferring the block (0x8003).
        S7ProtocolErrorErrorOccurredWhile = 0x8003 => "S7 protocol error: Error occurred while transferring the block",
        /// Application, general error: Service unknown to remote module (0x8100).
        ApplicationGeneralErrorServiceUnknownTo = 0x8100 => "Application, general error: Service unknown to remote module",
        /// This service is not implemented on the module or a frame error was reported (0x8104).
        ThisServiceIsNotImplementedOn = 0x8104 => "This service is not implemented on the module or a frame error was reported",
        /// The type specification for the object is inconsistent (0x8204).
        TheTypeSpecificationForTheObject = 0x8204 => "The type specification for the object is inconsistent",
        /// A copied block already exists and is not linked (0x8205).
        ACopiedBlockAlreadyExistsAnd = 0x8205 => "A copied block already exists and is not linked",
        /// Insufficient memory space or work memory on the module, or specified storage medium not accessible (0x8301).
        InsufficientMemorySpaceOrWorkMemory = 0x8301 => "Insufficient memory space or work memory on the module, or specified storage medium not accessible",
        /// Too few resources available or the processor resources are not available (0x8302).
        TooFewResourcesAvailableOrThe = 0x8302 => "Too few resources available or the processor resources are not available",
        /// No further parallel upload possible. There is a resource bottleneck (0x8304).
        NoFurtherParallelUploadPossibleThere = 0x8304 => "No further parallel upload possible. There is a resource bottleneck",
        /// Function not available (0x8305).
        FunctionNotAvailable = 0x8305 => "Function not available",
        /// Insufficient work memory (for copying, linking, loading AWP) (0x8306).
        InsufficientWorkMemoryForCopyingLinking = 0x8306 => "Insufficient work memory (for copying, linking, loading AWP)",
        /// Not enough retentive work memory (for copying, linking, loading AWP) (0x8307).
        NotEnoughRetentiveWorkMemoryFor = 0x8307 => "Not enough retentive work memory (for copying, linking, loading AWP)",
        /// S7 protocol error: Invalid service sequence (for example, loading or uploading a block) (0x8401).
        S7ProtocolErrorInvalidServiceSequence = 0x8401 => "S7 protocol error: Invalid service sequence (for example, loading or uploading a block)",
        /// Service cannot execute owing to status of the addressed object (0x8402).
        ServiceCannotExecuteOwingToStatus = 0x8402 => "Service cannot execute owing to status of the addressed object",
        /// S7 protocol: The function cannot be performed (0x8404).
        S7ProtocolTheFunctionCannotBe = 0x8404 => "S7 protocol: The function cannot be performed",
        /// Remote block is in DISABLE state (CFB). The function cannot be performed (0x8405).
        RemoteBlockIsInDISABLEState = 0x8405 => "Remote block is in DISABLE state (CFB). The function cannot be performed",
        /// S7 protocol error: Wrong frames (0x8500).
        S7ProtocolErrorWrongFrames = 0x8500 => "S7 protocol error: Wrong frames",
        /// Alarm from the module: Service canceled prematurely (0x8503).
        AlarmFromTheModuleServiceCanceled = 0x8503 => "Alarm from the module: Service canceled prematurely",
        /// Error addressing the object on the communications partner (for example, area length error) (0x8701).
        ErrorAddressingTheObjectOnThe = 0x8701 => "Error addressing the object on the communications partner (for example, area length error)",
        /// The requested service is not supported by the module (0x8702).
        TheRequestedServiceIsNotSupported = 0x8702 => "The requested service is not supported by the module",
        /// Access to object refused (0x8703).
        AccessToObjectRefused = 0x8703 => "Access to object refused",
        /// Access error: Object damaged (0x8704).
        AccessErrorObjectDamaged = 0x8704 => "Access error: Object damaged",
        /// Protocol error: Illegal job number (0xD001).
        ProtocolErrorIllegalJobNumber = 0xD001 => "Protocol error: Illegal job number",
        /// Parameter error: Illegal job variant (0xD002).
        ParameterErrorIllegalJobVariant = 0xD002 => "Parameter error: Illegal job variant",
        /// Parameter error: Debugging function not supported by module (0xD003).
        ParameterErrorDebuggingFunctionNotSupported = 0xD003 => "Parameter error: Debugging function not supported by module",
        /// Parameter error: Illegal job status (0xD004).
        ParameterErrorIllegalJobStatus = 0xD004 => "Parameter error: Illegal job status",
        /// Parameter error: Illegal job termination (0xD005).
        ParameterErrorIllegalJobTermination = 0xD005 => "Parameter error: Illegal job termination",
        /// Parameter error: Illegal link disconnection ID (0xD006).
        ParameterErrorIllegalLinkDisconnectionID = 0xD006 => "Parameter error: Illegal link disconnection ID",
        /// Parameter error: Illegal number of buffer elements (0xD007).
        ParameterErrorIllegalNumberOfBuffer = 0xD007 => "Parameter error: Illegal number of buffer elements",
        /// Parameter error: Illegal scan rate (0xD008).
        ParameterErrorIllegalScanRate = 0xD008 => "Parameter error: Illegal scan rate",
        /// Parameter error: Illegal number of executions (0xD009).
        ParameterErrorIllegalNumberOfExecutions = 0xD009 => "Parameter error: Illegal number of executions",
        /// Parameter error: Illegal trigger event (0xD00A).
        ParameterErrorIllegalTriggerEvent = 0xD00A => "Parameter error: Illegal trigger event",
        /// Parameter error: Illegal trigger condition (0xD00B).
        ParameterErrorIllegalTriggerCondition = 0xD00B => "Parameter error: Illegal trigger condition",
        /// Parameter error in path of the call environment: Block does not exist (0xD011).
        ParameterErrorInPathOfThe = 0xD011 => "Parameter error in path of the call environment: Block does not exist",
        /// Parameter error: Wrong address in block (0xD012).
        ParameterErrorWrongAddressInBlock = 0xD012 => "Parameter error: Wrong address in block",
        /// Parameter error: Block being deleted/overwritten (0xD014).
        ParameterErrorBlockBeingDeletedOverwritten = 0xD014 => "Parameter error: Block being deleted/overwritten",
        /// Parameter error: Illegal tag address (0xD015).
        ParameterErrorIllegalTagAddress = 0xD015 => "Parameter error: Illegal tag address",
        /// Parameter error: Test jobs not possible, because of errors in user program (0xD016).
        ParameterErrorTestJobsNotPossible = 0xD016 => "Parameter error: Test jobs not possible, because of errors in user program",
        /// Parameter error: Illegal trigger number (0xD017).
        ParameterErrorIllegalTriggerNumber = 0xD017 => "Parameter error: Illegal trigger number",
        /// Parameter error: Invalid path (0xD025).
        ParameterErrorInvalidPath = 0xD025 => "Parameter error: Invalid path",
        /// Parameter error: Illegal access type (0xD026).
        ParameterErrorIllegalAccessType = 0xD026 => "Parameter error: Illegal access type",
        /// Parameter error: This number of data blocks is not permitted (0xD027).
        ParameterErrorThisNumberOfData = 0xD027 => "Parameter error: This number of data blocks is not permitted",
        /// Internal protocol error (0xD031).
        InternalProtocolError = 0xD031 => "Internal protocol error",
        /// Parameter error: Wrong result buffer length (0xD032).
        ParameterErrorWrongResultBufferLength = 0xD032 => "Parameter error: Wrong result buffer length",
        /// Protocol error: Wrong job length (0xD033).
        ProtocolErrorWrongJobLength = 0xD033 => "Protocol error: Wrong job length",
        /// Coding error: Error in parameter section (for example, reserve bytes not equal to 0) (0xD03F).
        CodingErrorErrorInParameterSection = 0xD03F => "Coding error: Error in parameter section (for example, reserve bytes not equal to 0)",
        /// Data error: Illegal status list ID (0xD041).
        DataErrorIllegalStatusListID = 0xD041 => "Data error: Illegal status list ID",
        /// Data error: Illegal tag address (0xD042).
        DataErrorIllegalTagAddress = 0xD042 => "Data error: Illegal tag address",
        /// Data error: Referenced job not found, check job data (0xD043).
        DataErrorReferencedJobNotFound = 0xD043 => "Data error: Referenced job not found, check job data",
        /// Data error: Illegal tag value, check job data (0xD044).
        DataErrorIllegalTagValueCheck = 0xD044 => "Data error: Illegal tag value, check job data",
        /// Data error: Exiting the ODIS control is not allowed in HOLD (0xD045).
        DataErrorExitingTheODISControl = 0xD045 => "Data error: Exiting the ODIS control is not allowed in HOLD",
        /// Data error: Illegal measuring stage during run-time measurement (0xD046).
        DataErrorIllegalMeasuringStageDuring = 0xD046 => "Data error: Illegal measuring stage during run-time measurement",
        /// Data error: Illegal hierarchy in 'Read job list' (0xD047).
        DataErrorIllegalHierarchyInRead = 0xD047 => "Data error: Illegal hierarchy in 'Read job list'",
        /// Data error: Illegal deletion ID in 'Delete job' (0xD048).
        DataErrorIllegalDeletionIDIn = 0xD048 => "Data error: Illegal deletion ID in 'Delete job'",
        /// Invalid substitute ID in 'Replace job' (0xD049).
        InvalidSubstituteIDInReplaceJob = 0xD049 => "Invalid substitute ID in 'Replace job'",
        /// Error executing 'program status' (0xD04A).
        ErrorExecutingProgramStatus = 0xD04A => "Error executing 'program status'",
        /// Coding error: Error in data section (for example, reserve bytes not equal to 0, ...) (0xD05F).
        CodingErrorErrorInDataSection = 0xD05F => "Coding error: Error in data section (for example, reserve bytes not equal to 0, ...)",
        /// Resource error: No memory space for job (0xD061).
        ResourceErrorNoMemorySpaceFor = 0xD061 => "Resource error: No memory space for job",
        /// Resource error: Job list full (0xD062).
        ResourceErrorJobListFull = 0xD062 => "Resource error: Job list full",
        /// Resource error: Trigger event occupied (0xD063).
        ResourceErrorTriggerEventOccupied = 0xD063 => "Resource error: Trigger event occupied",
        /// Resource error: Not enough memory space for one result buffer element (0xD064).
        ResourceErrorNotEnoughMemorySpace = 0xD064 => "Resource error: Not enough memory space for one result buffer element",
        /// Resource error: Not enough memory space for several  result buffer elements (0xD065).
        ResourceErrorNotEnoughMemorySpaceXD065 = 0xD065 => "Resource error: Not enough memory space for several  result buffer elements",
        /// Resource error: The timer available for run-time measurement is occupied by another job (0xD066).
        ResourceErrorTheTimerAvailableFor = 0xD066 => "Resource error: The timer available for run-time measurement is occupied by another job",
        /// Resource error: Too many 'modify tag' jobs active (in particular multi-processor operation) (0xD067).
        ResourceErrorTooManyModifyTag = 0xD067 => "Resource error: Too many 'modify tag' jobs active (in particular multi-processor operation)",
        /// Function not permitted in current mode (0xD081).
        FunctionNotPermittedInCurrentMode = 0xD081 => "Function not permitted in current mode",
        /// Mode error: Cannot exit HOLD mode (0xD082).
        ModeErrorCannotExitHOLDMode = 0xD082 => "Mode error: Cannot exit HOLD mode",
        /// Function not permitted in current protection level (0xD0A1).
        FunctionNotPermittedInCurrentProtection = 0xD0A1 => "Function not permitted in current protection level",
        /// Function not possible at present, because a function is running that modifies memory (0xD0A2).
        FunctionNotPossibleAtPresentBecause = 0xD0A2 => "Function not possible at present, because a function is running that modifies memory",
        /// Too many 'modify tag' jobs active on the I/O (in particular multi-processor operation) (0xD0A3).
        TooManyModifyTagJobsActive = 0xD0A3 => "Too many 'modify tag' jobs active on the I/O (in particular multi-processor operation)",
        /// 'Forcing' has already been established (0xD0A4).
        ForcingHasAlreadyBeenEstablished = 0xD0A4 => "'Forcing' has already been established",
        /// Referenced job not found (0xD0A5).
        ReferencedJobNotFound = 0xD0A5 => "Referenced job not found",
        /// Job cannot be disabled/enabled (0xD0A6).
        JobCannotBeDisabledEnabled = 0xD0A6 => "Job cannot be disabled/enabled",
        /// Job cannot be deleted, for example because it is currently being read (0xD0A7).
        JobCannotBeDeletedForExample = 0xD0A7 => "Job cannot be deleted, for example because it is currently being read",
        /// Job cannot be replaced, for example because it is currently being read or deleted (0xD0A8).
        JobCannotBeReplacedForExample = 0xD0A8 => "Job cannot be replaced, for example because it is currently being read or deleted",
        /// Job cannot be read, for example because it is currently being deleted (0xD0A9).
        JobCannotBeReadForExample = 0xD0A9 => "Job cannot be read, for example because it is currently being deleted",
        /// Time limit exceeded in processing operation (0xD0AA).
        TimeLimitExceededInProcessingOperation = 0xD0AA => "Time limit exceeded in processing operation",
        /// Invalid job parameters in process operation (0xD0AB).
        InvalidJobParametersInProcessOperation = 0xD0AB => "Invalid job parameters in process operation",
        /// Invalid job data in process operation (0xD0AC).
        InvalidJobDataInProcessOperation = 0xD0AC => "Invalid job data in process operation",
        /// Operating mode already set (0xD0AD).
        OperatingModeAlreadySet = 0xD0AD => "Operating mode already set",
        /// The job was set up over a different connection and can only be handled over this connection (0xD0AE).
        TheJobWasSetUpOver = 0xD0AE => "The job was set up over a different connection and can only be handled over this connection",
        /// At least one error has been detected while accessing the tag(s) (0xD0C1).
        AtLeastOneErrorHasBeen = 0xD0C1 => "At least one error has been detected while accessing the tag(s)",
        /// Change to STOP/HOLD mode (0xD0C2).
        ChangeToSTOPHOLDMode = 0xD0C2 => "Change to STOP/HOLD mode",
        /// At least one error was detected while accessing the tag(s). Mode change to STOP/HOLD (0xD0C3).
        AtLeastOneErrorWasDetected = 0xD0C3 => "At least one error was detected while accessing the tag(s). Mode change to STOP/HOLD",
        /// Timeout during run-time measurement (0xD0C4).
        TimeoutDuringRunTimeMeasurement = 0xD0C4 => "Timeout during run-time measurement",
        /// Display of block stack inconsistent, because blocks were deleted/reloaded (0xD0C5).
        DisplayOfBlockStackInconsistentBecause = 0xD0C5 => "Display of block stack inconsistent, because blocks were deleted/reloaded",
        /// Job was automatically deleted as the jobs it referenced have been deleted (0xD0C6).
        JobWasAutomaticallyDeletedAsThe = 0xD0C6 => "Job was automatically deleted as the jobs it referenced have been deleted",
        /// The job was automatically deleted because STOP mode was exited (0xD0C7).
        TheJobWasAutomaticallyDeletedBecause = 0xD0C7 => "The job was automatically deleted because STOP mode was exited",
        /// 'Block status' aborted because of inconsistencies between test job and running program (0xD0C8).
        BlockStatusAbortedBecauseOfInconsistencies = 0xD0C8 => "'Block status' aborted because of inconsistencies between test job and running program",
        /// Exit the status area by resetting OB90 (0xD0C9).
        ExitTheStatusAreaByResetting = 0xD0C9 => "Exit the status area by resetting OB90",
        /// Exiting the status range by resetting OB90 and access error reading tags before exiting (0xD0CA).
        ExitingTheStatusRangeByResetting = 0xD0CA => "Exiting the status range by resetting OB90 and access error reading tags before exiting",
        /// The output disable for the peripheral outputs has been activated again (0xD0CB).
        TheOutputDisableForThePeripheral = 0xD0CB => "The output disable for the peripheral outputs has been activated again",
        /// The amount of data for the debugging functions is restricted by the time limit (0xD0CC).
        TheAmountOfDataForThe = 0xD0CC => "The amount of data for the debugging functions is restricted by the time limit",
        /// Syntax error in block name (0xD201).
        SyntaxErrorInBlockName = 0xD201 => "Syntax error in block name",
        /// Syntax error in function parameters (0xD202).
        SyntaxErrorInFunctionParameters = 0xD202 => "Syntax error in function parameters",
        /// Linked block already exists in RAM: Conditional copying is not possible (0xD205).
        LinkedBlockAlreadyExistsInRAM = 0xD205 => "Linked block already exists in RAM: Conditional copying is not possible",
        /// Linked block already exists in EPROM: Conditional copying is not possible (0xD206).
        LinkedBlockAlreadyExistsInEPROM = 0xD206 => "Linked block already exists in EPROM: Conditional copying is not possible",
        /// Maximum number of copied (not linked) blocks on module exceeded (0xD208).
        MaximumNumberOfCopiedNotLinked = 0xD208 => "Maximum number of copied (not linked) blocks on module exceeded",
        /// (At least) one of the given blocks not found on the module (0xD209).
        AtLeastOneOfTheGiven = 0xD209 => "(At least) one of the given blocks not found on the module",
        /// The maximum number of blocks that can be linked with one job was exceeded (0xD20A).
        TheMaximumNumberOfBlocksThat = 0xD20A => "The maximum number of blocks that can be linked with one job was exceeded",
        /// The maximum number of blocks that can be deleted with one job was exceeded (0xD20B).
        TheMaximumNumberOfBlocksThatXD20B = 0xD20B => "The maximum number of blocks that can be deleted with one job was exceeded",
        /// OB cannot be copied because the associated priority class does not exist (0xD20C).
        OBCannotBeCopiedBecauseThe = 0xD20C => "OB cannot be copied because the associated priority class does not exist",
        /// SDB cannot be interpreted (for example, unknown number) (0xD20D).
        SDBCannotBeInterpretedForExample = 0xD20D => "SDB cannot be interpreted (for example, unknown number)",
        /// No (further) block available (0xD20E).
        NoFurtherBlockAvailable = 0xD20E => "No (further) block available",
        /// Module-specific maximum block size exceeded (0xD20F).
        ModuleSpecificMaximumBlockSizeExceeded = 0xD20F => "Module-specific maximum block size exceeded",
        /// Invalid block number (0xD210).
        InvalidBlockNumberXD210 = 0xD210 => "Invalid block number",
        /// Incorrect header attribute (run-time relevant) (0xD212).
        IncorrectHeaderAttributeRunTimeRelevant = 0xD212 => "Incorrect header attribute (run-time relevant)",
        /// Too many SDBs. Note the restrictions on the module being used (0xD213).
        TooManySDBsNoteTheRestrictions = 0xD213 => "Too many SDBs. Note the restrictions on the module being used",
        /// Invalid user program - reset module (0xD216).
        InvalidUserProgramResetModule = 0xD216 => "Invalid user program - reset module",
        /// Protection level specified in module properties not permitted (0xD217).
        ProtectionLevelSpecifiedInModuleProperties = 0xD217 => "Protection level specified in module properties not permitted",
        /// Incorrect attribute (active/passive) (0xD218).
        IncorrectAttributeActivePassive = 0xD218 => "Incorrect attribute (active/passive)",
        /// Incorrect block lengths (for example, incorrect length of first section or of the whole block) (0xD219).
        IncorrectBlockLengthsForExampleIncorrect = 0xD219 => "Incorrect block lengths (for example, incorrect length of first section or of the whole block)",
        /// Incorrect local data length or write-protection code faulty (0xD21A).
        IncorrectLocalDataLengthOrWrite = 0xD21A => "Incorrect local data length or write-protection code faulty",
        /// Module cannot compress or compression was interrupted early (0xD21B).
        ModuleCannotCompressOrCompressionWas = 0xD21B => "Module cannot compress or compression was interrupted early",
        /// The volume of dynamic project data transferred is illegal (0xD21D).
        TheVolumeOfDynamicProjectData = 0xD21D => "The volume of dynamic project data transferred is illegal",
        /// Unable to assign parameters to a module (such as FM, CP). The system data could not be linked (0xD21E).
        UnableToAssignParametersToA = 0xD21E => "Unable to assign parameters to a module (such as FM, CP). The system data could not be linked",
        /// Invalid programming language. Note the restrictions on the module being used (0xD220).
        InvalidProgrammingLanguageNoteTheRestrictions = 0xD220 => "Invalid programming language. Note the restrictions on the module being used",
        /// The system data for connections or routing are not valid (0xD221).
        TheSystemDataForConnectionsOr = 0xD221 => "The system data for connections or routing are not valid",
        /// The system data of the global data definition contain invalid parameters (0xD222).
        TheSystemDataOfTheGlobal = 0xD222 => "The system data of the global data definition contain invalid parameters",
        /// Error in instance data block for communication function block or maximum number of instance DBs exceeded (0xD223).
        ErrorInInstanceDataBlockFor = 0xD223 => "Error in instance data block for communication function block or maximum number of instance DBs exceeded",
        /// The SCAN system data block contains invalid parameters (0xD224).
        TheSCANSystemDataBlockContains = 0xD224 => "The SCAN system data block contains invalid parameters",
        /// The DP system data block contains invalid parameters (0xD225).
        TheDPSystemDataBlockContains = 0xD225 => "The DP system data block contains invalid parameters",
        /// A structural error occurred in a block (0xD226).
        AStructuralErrorOccurredInA = 0xD226 => "A structural error occurred in a block",
        /// A structural error occurred in a block (0xD230).
        AStructuralErrorOccurredInAXD230 = 0xD230 => "A structural error occurred in a block",
        /// At least one loaded OB cannot be copied because the associated priority class does not exist (0xD231).
        AtLeastOneLoadedOBCannot = 0xD231 => "At least one loaded OB cannot be copied because the associated priority class does not exist",
        /// At least one block number of a loaded block is illegal (0xD232).
        AtLeastOneBlockNumberOf = 0xD232 => "At least one block number of a loaded block is illegal",
        /// Block exists twice in the specified memory medium or in the job (0xD234).
        BlockExistsTwiceInTheSpecified = 0xD234 => "Block exists twice in the specified memory medium or in the job",
        /// The block contains an incorrect checksum (0xD235).
        TheBlockContainsAnIncorrectChecksum = 0xD235 => "The block contains an incorrect checksum",
        /// The block does not contain a checksum (0xD236).
        TheBlockDoesNotContainA = 0xD236 => "The block does not contain a checksum",
        /// You are about to load the block twice, i.e. a block with the same time stamp already exists on the CPU (0xD237).
        YouAreAboutToLoadThe = 0xD237 => "You are about to load the block twice, i.e. a block with the same time stamp already exists on the CPU",
        /// At least one of the blocks specified is not a DB (0xD238).
        AtLeastOneOfTheBlocks = 0xD238 => "At least one of the blocks specified is not a DB",
        /// At least one of the DBs specified is not available as a linked variant in the load memory (0xD239).
        AtLeastOneOfTheDBs = 0xD239 => "At least one of the DBs specified is not available as a linked variant in the load memory",
        /// At least one of the specified DBs is considerably different from the copied and linked variant (0xD23A).
        AtLeastOneOfTheSpecified = 0xD23A => "At least one of the specified DBs is considerably different from the copied and linked variant",
        /// Coordination rules violated (0xD240).
        CoordinationRulesViolated = 0xD240 => "Coordination rules violated",
        /// The function is not permitted in the current protection level (0xD241).
        TheFunctionIsNotPermittedIn = 0xD241 => "The function is not permitted in the current protection level",
        /// Protection violation while processing F blocks (0xD242).
        ProtectionViolationWhileProcessingFBlocks = 0xD242 => "Protection violation while processing F blocks",
        /// Update and module ID or version do not match (0xD250).
        UpdateAndModuleIDOrVersion = 0xD250 => "Update and module ID or version do not match",
        /// Incorrect sequence of operating system components (0xD251).
        IncorrectSequenceOfOperatingSystemComponents = 0xD251 => "Incorrect sequence of operating system components",
        /// Checksum error (0xD252).
        ChecksumError = 0xD252 => "Checksum error",
        /// No executable loader available; update only possible using a memory card (0xD253).
        NoExecutableLoaderAvailableUpdateOnly = 0xD253 => "No executable loader available; update only possible using a memory card",
        /// Storage error in operating system (0xD254).
        StorageErrorInOperatingSystem = 0xD254 => "Storage error in operating system",
        /// Error compiling block in S7-300 CPU (0xD280).
        ErrorCompilingBlockInS7300 = 0xD280 => "Error compiling block in S7-300 CPU",
        /// Another block function or a trigger on a block is active (0xD2A1).
        AnotherBlockFunctionOrATrigger = 0xD2A1 => "Another block function or a trigger on a block is active",
        /// A trigger is active on a block. Complete the debugging function first (0xD2A2).
        ATriggerIsActiveOnA = 0xD2A2 => "A trigger is active on a block. Complete the debugging function first",
        /// The block is not active (linked), the block is occupied or the block is currently marked for deletion (0xD2A3).
        TheBlockIsNotActiveLinked = 0xD2A3 => "The block is not active (linked), the block is occupied or the block is currently marked for deletion",
        /// The block is already being processed by another block function (0xD2A4).
        TheBlockIsAlreadyBeingProcessed = 0xD2A4 => "The block is already being processed by another block function",
        /// It is not possible to save and change the user program simultaneously (0xD2A6).
        ItIsNotPossibleToSave = 0xD2A6 => "It is not possible to save and change the user program simultaneously",
        /// The block has the attribute 'unlinked' or is not processed (0xD2A7).
        TheBlockHasTheAttributeUnlinked = 0xD2A7 => "The block has the attribute 'unlinked' or is not processed",
        /// An active debugging function is preventing parameters from being assigned to the CPU (0xD2A8).
        AnActiveDebuggingFunctionIsPreventing = 0xD2A8 => "An active debugging function is preventing parameters from being assigned to the CPU",
        /// New parameters are being assigned to the CPU (0xD2A9).
        NewParametersAreBeingAssignedTo = 0xD2A9 => "New parameters are being assigned to the CPU",
        /// New parameters are currently being assigned to the modules (0xD2AA).
        NewParametersAreCurrentlyBeingAssigned = 0xD2AA => "New parameters are currently being assigned to the modules",
        /// The dynamic configuration limits are currently being changed (0xD2AB).
        TheDynamicConfigurationLimitsAreCurrently = 0xD2AB => "The dynamic configuration limits are currently being changed",
        /// A running active or deactivate assignment (SFC 12) is temporarily preventing R-KiR process (0xD2AC).
        ARunningActiveOrDeactivateAssignment = 0xD2AC => "A running active or deactivate assignment (SFC 12) is temporarily preventing R-KiR process",
        /// An error occurred while configuring in RUN (CiR) (0xD2B0).
        AnErrorOccurredWhileConfiguringIn = 0xD2B0 => "An error occurred while configuring in RUN (CiR)",
        /// The maximum number of technological objects has been exceeded (0xD2C0).
        TheMaximumNumberOfTechnologicalObjects = 0xD2C0 => "The maximum number of technological objects has been exceeded",
        /// The same technology data block already exists on the module (0xD2C1).
        TheSameTechnologyDataBlockAlready = 0xD2C1 => "The same technology data block already exists on the module",
        /// Downloading the user program or downloading the hardware configuration is not possible (0xD2C2).
        DownloadingTheUserProgramOrDownloading = 0xD2C2 => "Downloading the user program or downloading the hardware configuration is not possible",
        /// Information function unavailable (0xD401).
        InformationFunctionUnavailable = 0xD401 => "Information function unavailable",
        /// Information function unavailable (0xD402).
        InformationFunctionUnavailableXD402 = 0xD402 => "Information function unavailable",
        /// Service has already been logged on/off (Diagnostics/PMC) (0xD403).
        ServiceHasAlreadyBeenLoggedOn = 0xD403 => "Service has already been logged on/off (Diagnostics/PMC)",
        /// Maximum number of nodes reached. No more logons possible for diagnostics/PMC (0xD404).
        MaximumNumberOfNodesReachedNo = 0xD404 => "Maximum number of nodes reached. No more logons possible for diagnostics/PMC",
        /// Service not supported or syntax error in function parameters (0xD405).
        ServiceNotSupportedOrSyntaxError = 0xD405 => "Service not supported or syntax error in function parameters",
        /// Required information currently unavailable (0xD406).
        RequiredInformationCurrentlyUnavailable = 0xD406 => "Required information currently unavailable",
        /// Diagnostics error occurred (0xD407).
        DiagnosticsErrorOccurred = 0xD407 => "Diagnostics error occurred",
        /// Update aborted (0xD408).
        UpdateAborted = 0xD408 => "Update aborted",
        /// Error on DP bus (0xD409).
        ErrorOnDPBus = 0xD409 => "Error on DP bus",
        /// Syntax error in function parameter (0xD601).
        SyntaxErrorInFunctionParameter = 0xD601 => "Syntax error in function parameter",
        /// Incorrect password entered (0xD602).
        IncorrectPasswordEnteredXD602 = 0xD602 => "Incorrect password entered",
        /// The connection has already been legitimized (0xD603).
        TheConnectionHasAlreadyBeenLegitimized = 0xD603 => "The connection has already been legitimized",
        /// The connection has already been enabled (0xD604).
        TheConnectionHasAlreadyBeenEnabled = 0xD604 => "The connection has already been enabled",
        /// Legitimization not possible because password does not exist (0xD605).
        LegitimizationNotPossibleBecausePasswordDoes = 0xD605 => "Legitimization not possible because password does not exist",
        /// At least one tag address is invalid (0xD801).
        AtLeastOneTagAddressIs = 0xD801 => "At least one tag address is invalid",
        /// Specified job does not exist (0xD802).
        SpecifiedJobDoesNotExist = 0xD802 => "Specified job does not exist",
        /// Illegal job status (0xD803).
        IllegalJobStatus = 0xD803 => "Illegal job status",
        /// Illegal cycle time (illegal time base or multiple) (0xD804).
        IllegalCycleTimeIllegalTimeBase = 0xD804 => "Illegal cycle time (illegal time base or multiple)",
        /// No more cyclic read jobs can be set up (0xD805).
        NoMoreCyclicReadJobsCan = 0xD805 => "No more cyclic read jobs can be set up",
        /// The referenced job is in a state in which the requested function cannot be performed (0xD806).
        TheReferencedJobIsInA = 0xD806 => "The referenced job is in a state in which the requested function cannot be performed",
        /// Function aborted due to overload, meaning executing the read cycle takes longer than the set scan cycle time (0xD807).
        FunctionAbortedDueToOverloadMeaning = 0xD807 => "Function aborted due to overload, meaning executing the read cycle takes longer than the set scan cycle time",
        /// Date and/or time invalid (0xDC01).
        DateAndOrTimeInvalid = 0xDC01 => "Date and/or time invalid",
        /// CPU is already the master (0xE201).
        CPUIsAlreadyTheMaster = 0xE201 => "CPU is already the master",
        /// Connect and update not possible due to different user program in flash module (0xE202).
        ConnectAndUpdateNotPossibleDue = 0xE202 => "Connect and update not possible due to different user program in flash module",
        /// Connect and update not possible due to different firmware (0xE203).
        ConnectAndUpdateNotPossibleDueXE203 = 0xE203 => "Connect and update not possible due to different firmware",
        /// Connect and update not possible due to different memory configuration (0xE204).
        ConnectAndUpdateNotPossibleDueXE204 = 0xE204 => "Connect and update not possible due to different memory configuration",
        /// Connect/update aborted due to synchronization error (0xE205).
        ConnectUpdateAbortedDueToSynchronization = 0xE205 => "Connect/update aborted due to synchronization error",
        /// Connect/update denied due to coordination violation (0xE206).
        ConnectUpdateDeniedDueToCoordination = 0xE206 => "Connect/update denied due to coordination violation",
        /// S7 protocol error: Error at ID2; only 00H permitted in job (0xEF01).
        S7ProtocolErrorErrorAtID2 = 0xEF01 => "S7 protocol error: Error at ID2; only 00H permitted in job",
        /// S7 protocol error: Error at ID2; set of resources does not exist (0xEF02).
        S7ProtocolErrorErrorAtID2XEF02 = 0xEF02 => "S7 protocol error: Error at ID2; set of resources does not exist",
    }
}
