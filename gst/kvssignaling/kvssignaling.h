/* kvssignaling: the whole library.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvstypes.h"
#include "gstkvsenumtypes.h"
#include "gstkvserror.h"
#include "gstkvsvalidation.h"
#include "gstkvsmessage.h"
#include "gstkvssettings.h"
#include "gstkvscredentials.h"
#include "gstkvsawsconfig.h"
#include "gstkvssigv4.h"
#include "gstkvsiceserver.h"
#include "gstkvscontrolplane.h"
#include "gstkvssignalingclient.h"
